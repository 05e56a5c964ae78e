// Integration: the control socket end to end — status names the real workers, scale and reload
// under load lose nothing, stop exits 0, only the server's user may talk, and junk, huge or
// silent clients get an error without disturbing anyone else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <cerrno>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cluster/control_path.h"
#include "tests/support/control_client.h"
#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;

// The pids of the workers a status reply lists in state `state`.
std::set<long> PidsIn(const std::string& status, std::string_view state) {
  std::set<long> pids;
  const std::string needle = absl::StrCat("\"state\":\"", std::string(state), "\"");
  for (size_t at = status.find("{\"slot\":"); at != std::string::npos;
       at = status.find("{\"slot\":", at + 1)) {
    const std::string worker = status.substr(at, status.find('}', at) - at + 1);
    if (absl::StrContains(worker, needle)) pids.insert(JsonInt(worker, "pid"));
  }
  return pids;
}

std::set<long> Children(RingleaderServer& server) {
  const auto c = server.process().Children();
  return std::set<long>(c.begin(), c.end());
}

// Waits until status lists exactly `n` listening workers and nothing else.
bool EventuallyListening(const std::string& path, size_t n) {
  return Eventually(absl::Seconds(15), [&] {
    auto r = ControlRequest(path, R"({"cmd":"status"})");
    return r.ok() && PidsIn(*r, "listening").size() == n &&
           JsonInt(*r, "workers") == static_cast<long>(n) &&
           r->find("\"state\":\"draining\"") == std::string::npos;
  });
}

TEST(ControlSocket, StatusNamesTheListeningWorkers) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto status = ControlRequest(path, R"({"cmd":"status"})");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_THAT(*status, HasSubstr(R"("ok":true)"));
  EXPECT_EQ(PidsIn(*status, "listening"), Children(*server)) << *status;
  EXPECT_EQ(JsonInt(*status, "pid"), server->process().pid());
}

TEST(ControlSocket, ScaleUpThenDownUnderLoadLosesNothing) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  LoadClient load({.port = server->port(), .connections = 8, .keep_alive = false});
  load.Start();
  auto up = ControlRequest(path, R"({"cmd":"scale","workers":3})");
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_THAT(*up, HasSubstr(R"("ok":true,"workers":3)"));
  EXPECT_TRUE(EventuallyListening(path, 3));
  const long before = load.requests_so_far();
  auto down = ControlRequest(path, R"({"cmd":"scale","workers":1})");
  ASSERT_TRUE(down.ok()) << down.status();
  EXPECT_TRUE(EventuallyListening(path, 1));
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > before + 200; }));
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  EXPECT_TRUE(Eventually(absl::Seconds(10), [&] { return Children(*server).size() == 1; }));
}

TEST(ControlSocket, ReloadUnderLoadLosesNothingAndStopExitsZero) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  const std::set<long> old = Children(*server);
  LoadClient load({.port = server->port(), .connections = 16});
  load.Start();
  auto reload = ControlRequest(path, R"({"cmd":"reload"})");
  ASSERT_TRUE(reload.ok()) << reload.status();
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20)));
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  ASSERT_TRUE(EventuallyListening(path, 2));
  for (long pid : Children(*server)) EXPECT_EQ(old.count(pid), 0u) << pid << " is not new";

  auto stop = ControlRequest(path, R"({"cmd":"stop"})");
  ASSERT_TRUE(stop.ok()) << stop.status();
  EXPECT_EQ(*stop, R"({"ok":true})");
  EXPECT_EQ(server->process().WaitExit(absl::Seconds(15)), 0);
  struct stat st{};
  EXPECT_NE(::stat(path.c_str(), &st), 0) << "the socket file outlived the server";
}

TEST(ControlSocket, AScaleDuringARollingRestartWaitsForItToComplete) {
  auto server = RingleaderServer::Start({"--workers=2", "--rollout_stagger=300ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  ASSERT_TRUE(ControlRequest(path, R"({"cmd":"reload"})").ok());
  auto scale = ControlRequest(path, R"({"cmd":"scale","workers":3})");
  ASSERT_TRUE(scale.ok()) << scale.status();
  EXPECT_THAT(*scale, HasSubstr(R"("after_rollout":true)"));
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20)));
  EXPECT_TRUE(EventuallyListening(path, 3));
  // The third slot was born after the rollout's last record, never in between.
  const std::string log = server->process().Stderr();
  ASSERT_NE(log.find("scaling up"), std::string::npos) << log;
  EXPECT_LT(log.find("Rolling restart complete"), log.find("scaling up"))
      << "the scale interleaved with the rollout:\n" << log;
}

TEST(ControlSocket, TraceStreamsEachLifecycleRecordOnItsOwnLine) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  ControlConnection trace;
  ASSERT_TRUE(trace.Connect(path).ok());
  ASSERT_TRUE(trace.Send("{\"cmd\":\"trace\"}\n").ok());
  auto ok = trace.ReadLine(absl::Seconds(5));
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, R"({"ok":true})");
  ASSERT_TRUE(ControlRequest(path, R"({"cmd":"reload"})").ok());
  // The replacement's birth, online, listening; the old one's drain and exit: five records.
  for (int i = 0; i < 5; ++i) {
    auto line = trace.ReadLine(absl::Seconds(10));
    ASSERT_TRUE(line.ok()) << "record " << i << ": " << line.status();
    EXPECT_THAT(*line, ::testing::StartsWith("{")) << "record " << i << ": '" << *line << "'";
    EXPECT_THAT(*line, HasSubstr("\"slot\":0")) << *line;
  }
}

// A client that asks and asks but never reads its answers: once its replies stop draining it is
// closed, and it cannot keep one of the server's client places for ever.
TEST(SlowControlSocket, AClientThatNeverReadsItsRepliesIsClosed) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  ControlConnection deaf;
  ASSERT_TRUE(deaf.Connect(path).ok());
  std::string requests;
  // ~500 KB of replies: more than the socket buffers hold, less than the 1 MiB queue bound (the
  // other way such a client is cut off), so only the deadline can close it.
  for (int i = 0; i < 1500; ++i) requests += "{\"cmd\":\"status\"}\n";
  const int flags = ::fcntl(deaf.fd(), F_GETFL);
  ASSERT_EQ(::fcntl(deaf.fd(), F_SETFL, flags | O_NONBLOCK), 0);
  // Write until the server stops reading us (its replies fill both socket buffers).
  size_t sent = 0;
  while (sent < requests.size()) {
    const ssize_t n = ::send(deaf.fd(), requests.data() + sent, requests.size() - sent,
                             MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  // Without our reading a byte, the server gives up on us: its end shuts down, so a send of
  // ours fails with EPIPE (while it keeps us, the send would queue or wait).
  EXPECT_TRUE(Eventually(absl::Seconds(20), [&] {
    const ssize_t n = ::send(deaf.fd(), "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    return n < 0 && errno == EPIPE;
  })) << "still connected";
  auto status = ControlRequest(path, R"({"cmd":"status"})");
  ASSERT_TRUE(status.ok()) << status.status();
}

TEST(ControlSocket, AnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  const passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));
  // Past the file mode (0600 alone keeps nobody out): the uid check must refuse it too.
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0) ::_exit(2);
    // The refusal may come (and the socket close) before our request is even written.
    ControlConnection c;
    std::string text = "could not connect";
    if (c.Connect(path).ok()) {
      (void)c.Send("{\"cmd\":\"stop\"}\n");
      auto reply = c.ReadLine(absl::Seconds(5));
      text = reply.ok() ? *reply : std::string(reply.status().message());
    }
    (void)::write(pipe_fds[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(pipe_fds[0]);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "could not become nobody";
  EXPECT_THAT(text, HasSubstr("permission denied"));
  auto status = ControlRequest(path, R"({"cmd":"status"})");
  ASSERT_TRUE(status.ok()) << "the refused stop must not have stopped it: " << status.status();
  EXPECT_EQ(PidsIn(*status, "listening").size(), 1u);
}

TEST(ControlSocket, JunkHugeAndSilentClientsGetAnErrorAndStatusKeepsAnswering) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string path = DefaultControlPath(static_cast<uint16_t>(server->port()));

  ControlConnection silent;  // connects and says nothing
  ASSERT_TRUE(silent.Connect(path).ok());
  ControlConnection half;  // half a line, never finished
  ASSERT_TRUE(half.Connect(path).ok());
  ASSERT_TRUE(half.Send(R"({"cmd":"sta)").ok());

  for (const char* junk : {"garbage", "[1,2,3]", R"({"cmd":42})", "\x01\x02\xff", R"({"cmd":"scale"})",
                           R"({"cmd":"scale","workers":0})", R"({"cmd":"send","message":[]})"}) {
    auto r = ControlRequest(path, junk);
    ASSERT_TRUE(r.ok()) << junk << ": " << r.status();
    EXPECT_THAT(*r, HasSubstr(R"("ok":false,"error":)")) << junk;
  }
  ControlConnection huge;
  ASSERT_TRUE(huge.Connect(path).ok());
  (void)huge.Send(std::string(200 * 1024, 'x'));  // the server may stop reading part-way
  auto huge_reply = huge.ReadLine(absl::Seconds(5));
  ASSERT_TRUE(huge_reply.ok()) << huge_reply.status();
  EXPECT_THAT(*huge_reply, HasSubstr("request line over"));
  EXPECT_FALSE(huge.ReadLine(absl::Seconds(2)).ok()) << "closed after the error";

  auto status = ControlRequest(path, R"({"cmd":"status"})", absl::Seconds(1));
  ASSERT_TRUE(status.ok()) << "a silent client blocked the loop: " << status.status();
  EXPECT_EQ(PidsIn(*status, "listening").size(), 1u);

  for (ControlConnection* c : {&silent, &half}) {
    auto r = c->ReadLine(absl::Seconds(8));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_THAT(*r, HasSubstr("no complete request line"));
    EXPECT_FALSE(c->ReadLine(absl::Seconds(2)).ok()) << "closed after the timeout";
  }
  EXPECT_TRUE(HttpGet(server->port(), "/health").ok());
}


// Every line of GET /metrics is a comment (# HELP / # TYPE) or one sample:
// name{label="value",...} number — the Prometheus text format's grammar, checked line by line.
TEST(Metrics, ThePrimaryServesPrometheusTextThatParses) {
  auto server = RingleaderServer::Start({"--workers=2", "--metrics_port=0"});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(server->process().WaitForLog("Metrics at http://", absl::Seconds(5)));
  const std::string log = server->process().Stderr();
  const size_t at = log.find("Metrics at http://");
  const size_t colon = log.find(':', at + std::string("Metrics at http://").size());
  const int metrics_port = std::atoi(log.c_str() + colon + 1);
  ASSERT_GT(metrics_port, 0) << log;
  (void)HttpGet(server->port(), "/");  // one request, for the counters
  auto r = HttpGet(metrics_port, "/metrics");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  const std::regex sample(
      R"re(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")re"
      R"re((,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? )re"
      R"re(([-+]?[0-9.eE+-]+|NaN|[+-]Inf)$)re");
  const std::regex comment(R"re(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)re");
  int samples = 0;
  std::string line;
  std::istringstream body(r->body);
  while (std::getline(body, line)) {
    if (line.rfind("#", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
  EXPECT_THAT(r->body, HasSubstr(R"(ringleader_workers{state="listening"} 2)"));
  EXPECT_THAT(r->body, HasSubstr("ringleader_lifecycle_transitions_total{from=\"online\",to=\"listening\"} 2"));
  EXPECT_THAT(r->body, HasSubstr("ringleader_target_workers 2"));
}

}  // namespace
}  // namespace ringleader::testing
