// Integration: the primary as a systemd service. The test plays systemd's side: it gives the
// primary a NOTIFY_SOCKET and reads READY=1 (only once every worker listens), RELOADING=1 and
// READY=1 around a rolling restart, STOPPING=1 on SIGTERM; and it passes the primary a listening
// socket as a `.socket` unit would (fd 3, LISTEN_FDS, LISTEN_PID), which the cluster then serves.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/process.h"
#include "core/unique_fd.h"
#include "tests/support/fake_service_manager.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;

TEST(Systemd, TheServiceManagerHearsReadyReloadingAndStopping) {
  FakeServiceManager systemd;
  auto server = RingleaderServer::Start({"--workers=2"}, absl::Seconds(15), {systemd.env()});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string ready = systemd.Next();
  EXPECT_THAT(ready, HasSubstr("READY=1"));
  EXPECT_THAT(ready, HasSubstr("MAINPID=" + std::to_string(server->process().pid())));
  EXPECT_THAT(ready, HasSubstr("STATUS=2 workers listening"));
  // Said only once both workers listened (the helper above waited for both lines; READY=1 was
  // sent after the second).
  EXPECT_TRUE(server->process().WaitForLog(" is listening", absl::Seconds(1), 2));

  server->process().Signal(SIGUSR2);
  const std::string reloading = systemd.Next();
  EXPECT_THAT(reloading, HasSubstr("RELOADING=1"));
  EXPECT_THAT(reloading, HasSubstr("MONOTONIC_USEC="));
  const std::string reloaded = systemd.Next();
  EXPECT_THAT(reloaded, HasSubstr("READY=1"));
  EXPECT_TRUE(absl::StrContains(server->process().Stderr(), "Rolling restart complete"))
      << "READY=1 came before the restart completed";

  server->process().Signal(SIGTERM);
  EXPECT_THAT(systemd.Next(), HasSubstr("STOPPING=1"));
  EXPECT_TRUE(server->process().WaitExit(absl::Seconds(10)).has_value());
}

// The primary started the way systemd starts a socket-activated service.
struct Activated {
  Child child;
  std::string stderr_path;
  std::string Stderr() const {
    std::ifstream in(stderr_path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  ~Activated() {
    if (child.pidfd) {
      ::kill(child.pid, SIGKILL);
      pollfd p{.fd = child.pidfd.get(), .events = POLLIN, .revents = 0};
      ::poll(&p, 1, 5000);
      (void)Reap(child.pidfd.get());
    }
    ::unlink(stderr_path.c_str());
  }
};

std::unique_ptr<Activated> StartActivated(int listener, std::vector<std::string> flags) {
  auto started = std::make_unique<Activated>();
  char path[] = "/tmp/ringleader-activated-XXXXXX";
  UniqueFd err(::mkstemp(path));
  started->stderr_path = path;
  std::vector<std::string> argv = {"ringleader", "--host=127.0.0.1", "--port=1", "--control=off"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto child = Spawn(SpawnRequest{.executable = BinaryPath("ringleader"),
                                  .argv = argv,
                                  .env = {"LISTEN_FDS=1", "LISTEN_FDNAMES=http"},
                                  .fds_at = {{.fd = listener, .at = 3},
                                             {.fd = err.get(), .at = STDERR_FILENO}},
                                  .own_pid_variable = "LISTEN_PID",
                                  .parent_death_signal = SIGKILL});
  EXPECT_TRUE(child.ok()) << child.status();
  if (child.ok()) started->child = std::move(*child);
  return started;
}

UniqueFd LoopbackListener(int& port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address = LoopbackAddress(0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length), 0);
  EXPECT_EQ(::listen(fd.get(), 128), 0);
  EXPECT_EQ(::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
  port = ntohs(address.sin_port);
  return fd;
}

TEST(Systemd, ASocketFromASocketUnitIsServedByTheWorkers) {
  int port = 0;
  UniqueFd listener = LoopbackListener(port);
  auto primary = StartActivated(listener.get(), {"--workers=2", "--sched=shared"});
  listener.Reset();  // only ringleader holds it now
  ASSERT_TRUE(Eventually(absl::Seconds(15), [&] {
    return absl::StrContains(primary->Stderr(), "is listening");
  })) << primary->Stderr();
  EXPECT_THAT(primary->Stderr(), HasSubstr("on 127.0.0.1:" + std::to_string(port)));
  std::set<long> workers;
  EXPECT_TRUE(Eventually(absl::Seconds(10), [&] {
    auto got = HttpGet(port, "/");
    if (got.ok() && got->status == 200) workers.insert(JsonInt(got->body, "worker"));
    return workers.size() == 2;
  })) << primary->Stderr();
}

TEST(Systemd, ReuseportCannotSplitAnActivatedSocketAndSaysSo) {
  int port = 0;
  UniqueFd listener = LoopbackListener(port);
  auto primary = StartActivated(listener.get(), {"--workers=2"});
  pollfd p{.fd = primary->child.pidfd.get(), .events = POLLIN, .revents = 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1) << primary->Stderr();
  auto status = Reap(primary->child.pidfd.get());
  primary->child.pidfd.Reset();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->code, 78);
  EXPECT_THAT(primary->Stderr(), HasSubstr("--sched=shared"));
}

}  // namespace
}  // namespace ringleader::testing
