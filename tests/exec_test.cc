// Integration: `ringleader exec` supervises programs it did not write. Python's http.server on
// the socket passed as fd 3 serves through 10 rolling restarts under load without losing a
// request, and the trace of it passes the lifecycle check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"
#include "tests/support/test_process.h"
#include "tests/support/trace_file.h"

namespace ringleader::testing {
namespace {

using ::testing::IsEmpty;

std::set<int> Pids(const std::vector<pid_t>& pids) { return {pids.begin(), pids.end()}; }

// The trace's violations once it has caught up: a drained copy may already be gone while its
// "dead" record is still on its way through the primary's ring.
std::vector<std::string> SettledViolations(RingleaderServer& server) {
  std::vector<std::string> violations;
  Eventually(absl::Seconds(5), [&] {
    violations = TraceViolations(server.trace_path(), Pids(server.process().Children()));
    return violations.empty();
  });
  return violations;
}

absl::StatusOr<RingleaderServer> StartPython(int workers) {
  return RingleaderServer::Start({"exec", "-i", std::to_string(workers), "--ready=delay:300ms",
                                  "--", "python3", BinaryPath("python_http_server.py")},
                                 absl::Seconds(20));
}

TEST(Exec, PythonsHttpServerGetsTheSocketAsFd3AndServesFromEveryCopy) {
  auto server = StartPython(2);
  ASSERT_TRUE(server.ok()) << server.status();
  // The kernel picks which copy accepts from the shared socket: ask until both have answered.
  std::map<long, std::string> answers;
  EXPECT_TRUE(Eventually(absl::Seconds(10), [&] {
    for (auto& answer : FromEachWorker(server->port(), "/", 2)) answers.insert(answer);
    return answers.size() == 2;
  })) << answers.size() << " answered";
  for (const auto& [pid, body] : answers) {
    EXPECT_EQ(Pids(server->process().Children()).count(static_cast<int>(pid)), 1u) << body;
  }
  server->process().Signal(SIGTERM);
  const std::optional<int> status = server->process().WaitExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value()) << server->process().Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->process().Stderr();
}

TEST(Exec, TenRollingRestartsOfPythonUnderLoadLoseNothing) {
  constexpr int kRestarts = 10;
  auto server = StartPython(2);
  ASSERT_TRUE(server.ok()) << server.status();
  std::set<int> all_old = Pids(server->process().Children());
  LoadClient load({.port = server->port(), .connections = 8, .keep_alive = true});
  load.Start();
  for (int i = 1; i <= kRestarts; ++i) {
    for (pid_t p : server->process().Children()) all_old.insert(p);
    const long before = load.requests_so_far();
    server->process().Signal(SIGUSR2);
    ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(30), i))
        << "restart " << i << "\n" << server->process().Stderr();
    ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > before + 50; }));
  }
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  EXPECT_GT(result.requests, 500);
  std::printf("python http.server, %d rolling restarts under load: %ld requests, %ld failed\n",
              kRestarts, result.requests, result.failures);
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] { return server->process().Children().size() == 2; }));
  const std::set<int> now = Pids(server->process().Children());
  for (int p : now) EXPECT_EQ(all_old.count(p), 0u) << p << " should be new";
  EXPECT_THAT(SettledViolations(*server), IsEmpty());
}

// A program started without ringleader-test's helper (it never listens): its own trace file.
struct BareExec {
  std::string trace_path;
  std::unique_ptr<TestProcess> process;
};

BareExec StartExec(std::vector<std::string> flags, const std::vector<std::string>& program) {
  char trace[] = "/tmp/ringleader-exec-trace-XXXXXX";
  const int fd = ::mkstemp(trace);
  if (fd >= 0) ::close(fd);
  std::vector<std::string> args = {"exec", "--port=0", "--host=127.0.0.1", "--control=off",
                                   std::string("--trace=") + trace};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back("--");
  args.insert(args.end(), program.begin(), program.end());
  auto process = TestProcess::Start(BinaryPath("ringleader"), args);
  EXPECT_TRUE(process.ok()) << process.status();
  return BareExec{.trace_path = trace,
                  .process = process.ok() ? std::make_unique<TestProcess>(std::move(*process))
                                          : nullptr};
}

TEST(Exec, AProgramThatCrashesAtStartBacksOffIsParkedAndItsOutputIsPrefixed) {
  BareExec exec = StartExec({"-i", "1", "--max_restarts=3"}, {BinaryPath("crash_at_start")});
  ASSERT_NE(exec.process, nullptr);
  TestProcess& primary = *exec.process;
  ASSERT_TRUE(primary.WaitForLog("parked", absl::Seconds(10))) << primary.Stderr();
  const std::optional<int> status = primary.WaitExit(absl::Seconds(5));
  ASSERT_TRUE(status.has_value()) << primary.Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 69) << "every slot parked";
  std::vector<std::string> exits;
  for (const auto& r : ReadTraceFile(exec.trace_path).records) {
    if (r.event == WorkerEvent::kExited) exits.push_back(r.cause);
  }
  // Every death is quick: two restarts after a backoff, then the third parks the slot.
  ASSERT_EQ(exits.size(), 3u) << ::testing::PrintToString(exits);
  EXPECT_THAT(exits[0], ::testing::HasSubstr("code 1; restart in "));
  EXPECT_THAT(exits[1], ::testing::HasSubstr("code 1; restart in "));
  EXPECT_EQ(exits[2], "code 1; slot parked (crash loop)");
  EXPECT_THAT(TraceViolations(exec.trace_path, {}), IsEmpty());
  // Its stderr reached ours, each line naming the slot and the pid that wrote it.
  const TraceFile trace = ReadTraceFile(exec.trace_path);
  const int first = trace.records.front().pid;
  EXPECT_THAT(primary.Stderr(),
              ::testing::HasSubstr("[slot 0 pid " + std::to_string(first) +
                                   "] crash_at_start: pid " + std::to_string(first)))
      << primary.Stderr();
  ::unlink(exec.trace_path.c_str());
}

TEST(Exec, APlainServerReadyAfterADelayRestartsUnderLoadLosingNothing) {
  auto server = RingleaderServer::Start(
      {"exec", "-i", "2", "--ready=delay:100ms", "--", BinaryPath("plain_server")});
  ASSERT_TRUE(server.ok()) << server.status();
  for (const bool keep_alive : {true, false}) {
    LoadClient load({.port = server->port(), .connections = 16, .keep_alive = keep_alive});
    load.Start();
    for (int i = 1; i <= 3; ++i) {
      const int done = keep_alive ? i : 3 + i;
      server->process().Signal(SIGUSR2);
      ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20), done))
          << server->process().Stderr();
    }
    const LoadResult result = load.Stop();
    EXPECT_EQ(result.failures, 0) << result.Describe();
    EXPECT_GT(result.requests, 100);
  }
  EXPECT_THAT(SettledViolations(*server), IsEmpty());
}

// A program that speaks sd_notify is listening when it says READY=1 (not before), heartbeats
// over WATCHDOG=1, and goes through rolling restarts under load without a failed request.
TEST(Exec, ANotifyingProgramIsListeningOnReadyAndRestartsUnderLoadLosingNothing) {
  auto server = RingleaderServer::Start({"exec", "-i", "2", "--", BinaryPath("notify_server")});
  ASSERT_TRUE(server.ok()) << server.status();
  for (const TraceRecord& r : server->Trace().records) {
    if (r.to == WorkerState::kListening) EXPECT_EQ(r.cause, "READY=1");
  }
  LoadClient load({.port = server->port(), .connections = 16, .keep_alive = true});
  load.Start();
  for (int i = 1; i <= 3; ++i) {
    server->process().Signal(SIGUSR2);
    ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20), i))
        << server->process().Stderr();
  }
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  EXPECT_GT(result.requests, 100);
  EXPECT_THAT(SettledViolations(*server), IsEmpty());
  EXPECT_EQ(server->process().Stderr().find("is hung"), std::string::npos)
      << "its heartbeats kept the watchdog quiet";
}

// A program whose loop hangs after READY=1 stops sending WATCHDOG=1: the watchdog kills and
// replaces it, as it does a built-in worker.
TEST(Exec, AProgramThatStopsHeartbeatingIsKilledAndReplaced) {
  auto server = RingleaderServer::Start(
      {"exec", "-i", "1", "--watchdog_timeout=600ms", "--drain_timeout=2s", "--",
       BinaryPath("hang_server")},
      absl::Seconds(15), {"HANG_AFTER_BEATS=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const pid_t first = server->process().Children().at(0);
  ASSERT_TRUE(server->process().WaitForLog("Worker " + std::to_string(first) + " is hung",
                                           absl::Seconds(10)))
      << server->process().Stderr();
  ASSERT_TRUE(server->process().WaitForLog(" is listening", absl::Seconds(10), 2))
      << "no replacement: " << server->process().Stderr();
  EXPECT_THAT(server->process().Stderr(),
              ::testing::HasSubstr("hang_server: hanging after 2 heartbeats"));
  // Every copy hangs in turn, so one may be mid-kill now: judge the trace once all have ended.
  server->process().Signal(SIGTERM);
  ASSERT_TRUE(server->process().WaitExit(absl::Seconds(10)).has_value());
  EXPECT_THAT(TraceViolations(server->trace_path(), {}), IsEmpty());
}

// Garbage, a flood and messages claiming another pid are dropped and counted; the program's
// real READY=1 afterwards still counts, and its sibling serves throughout.
TEST(Exec, NotifyAbuseIsDroppedAndCountedWhileTheClusterServes) {
  auto server = RingleaderServer::Start(
      {"exec", "-i", "2", "--", BinaryPath("notify_abuser"), "garbage", "flood", "other-pid"});
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 20; ++i) {
    auto got = HttpGet(server->port(), "/");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->status, 200);
  }
  const std::string flood_line = "flood: sent ";
  EXPECT_THAT(server->process().Stderr(), ::testing::HasSubstr(flood_line));
  server->process().Signal(SIGTERM);
  ASSERT_TRUE(server->process().WaitExit(absl::Seconds(10)).has_value());
  const std::string log = server->process().Stderr();
  EXPECT_THAT(log, ::testing::HasSubstr("sd_notify messages dropped: "));
  EXPECT_EQ(log.find(" 0 garbage"), std::string::npos) << log;
  if (::geteuid() == 0) {  // only root can claim another pid in SCM_CREDENTIALS
    EXPECT_EQ(log.find(" 0 from other pids"), std::string::npos) << log;
  }
  EXPECT_THAT(TraceViolations(server->trace_path(), {}), IsEmpty());
}

}  // namespace
}  // namespace ringleader::testing
