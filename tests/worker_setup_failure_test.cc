// Integration: a worker that cannot set itself up says why, and the exit code decides what
// follows — a configuration error parks its slot (and with every slot parked the primary exits
// non-zero rather than accept connections nobody serves); a shortage is retried with backoff.
// A worker that never reports listening (the ready timeout kills it) is a crash loop too, however
// long the timeout. Failures are injected with the test-only --debug_start_failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "tests/support/test_process.h"
#include "tests/support/trace_file.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;

struct SetupRun {
  std::optional<int> status;  // wait(2) status
  std::string log;
  TraceFile trace;
};

SetupRun RunWithStartFailure(const std::string& kind, const std::vector<std::string>& extra = {}) {
  char tmpl[] = "/tmp/ringleader-test-trace-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  if (fd >= 0) ::close(fd);
  std::vector<std::string> args = {"--workers=2", "--port=0", "--host=127.0.0.1",
                                    "--debug_endpoints", "--debug_start_failure=" + kind,
                                    std::string("--trace=") + tmpl};
  args.insert(args.end(), extra.begin(), extra.end());
  SetupRun run;
  auto process = TestProcess::Start(BinaryPath("ringleader"), args);
  if (!process.ok()) return run;
  run.status = process->WaitExit(absl::Seconds(15));
  run.log = process->Stderr();
  run.trace = ReadTraceFile(tmpl);
  ::unlink(tmpl);
  return run;
}

TEST(WorkerSetupFailure, ConfigErrorParksEverySlotAndThePrimaryExitsNonZero) {
  const SetupRun run = RunWithStartFailure("config");
  ASSERT_TRUE(run.status.has_value()) << "the primary kept running with no worker:\n" << run.log;
  ASSERT_TRUE(WIFEXITED(*run.status)) << run.log;
  EXPECT_EQ(WEXITSTATUS(*run.status), 69) << run.log;
  EXPECT_THAT(run.log, HasSubstr("cannot start: --debug_start_failure=config (configuration "
                                 "error, not restarted)"));
  EXPECT_THAT(run.log, HasSubstr("ringleader: all 2 worker slots are parked: no worker can "
                                 "serve, exiting"));
  int parked = 0;
  for (const TraceRecord& r : run.trace.records) {
    parked += absl::StrContains(r.cause, "slot parked (fatal exit code)") ? 1 : 0;
  }
  EXPECT_EQ(parked, 2) << run.log;
}

TEST(WorkerSetupFailure, ResourceErrorIsRetriedWithBackoff) {
  // Retried: backoff restarts until the crash-loop limit parks the slots (then the primary
  // exits as above, which bounds the test).
  const SetupRun run = RunWithStartFailure("resource", {"--max_restarts=3"});
  ASSERT_TRUE(run.status.has_value()) << run.log;
  EXPECT_THAT(run.log, HasSubstr("cannot start: --debug_start_failure=resource (will be retried)"));
  int backoffs = 0, fatal = 0, crash_loop = 0;
  for (const TraceRecord& r : run.trace.records) {
    backoffs += absl::StrContains(r.cause, "code 75; restart in ") ? 1 : 0;
    fatal += absl::StrContains(r.cause, "fatal exit code") ? 1 : 0;
    crash_loop += absl::StrContains(r.cause, "slot parked (crash loop)") ? 1 : 0;
  }
  EXPECT_EQ(fatal, 0) << run.log;
  EXPECT_EQ(backoffs, 4) << run.log;  // two per slot, the third quick death parks it
  EXPECT_EQ(crash_loop, 2) << run.log;
}

TEST(WorkerSetupFailure, ReadyTimeoutIsACrashLoopWhateverTheUptime) {
  // Killed by the 1.5 s ready timeout, past the 1 s --min_uptime: still a quick death.
  const SetupRun run = RunWithStartFailure(
      "never_listening", {"--ready_timeout=1500ms", "--min_uptime=1s", "--max_restarts=2"});
  ASSERT_TRUE(run.status.has_value()) << run.log;
  std::vector<std::string> exits;
  for (const TraceRecord& r : run.trace.records) {
    if (r.event == WorkerEvent::kExited) exits.push_back(r.cause);
  }
  ASSERT_EQ(exits.size(), 4u) << run.log;  // two slots, two deaths each
  int backoffs = 0, parked = 0;
  for (const std::string& cause : exits) {
    backoffs += absl::StartsWith(cause, "SIGKILL; restart in ") ? 1 : 0;
    parked += cause == "SIGKILL; slot parked (crash loop)" ? 1 : 0;
  }
  EXPECT_EQ(backoffs, 2) << ::testing::PrintToString(exits);
  EXPECT_EQ(parked, 2) << ::testing::PrintToString(exits);
}

}  // namespace
}  // namespace ringleader::testing
