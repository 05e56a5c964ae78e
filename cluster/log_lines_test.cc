// Unit tests for cluster/log_lines.h: the exact text of each line, since tests, the
// README and operators' greps depend on it. One whole line per call.
#include "cluster/log_lines.h"

#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <string>

namespace ringleader {
namespace {

std::string Captured(const std::function<void()>& log) {
  testing::internal::CaptureStderr();
  log();
  return testing::internal::GetCapturedStderr();
}

// Exit statuses as ExitStatus::Describe() writes them (the fleet carries them as text).
const std::string kKilled = ExitStatus{.signaled = true, .signal = SIGKILL}.Describe();
const std::string kCode0 = ExitStatus{.signaled = false, .code = 0}.Describe();
const std::string kCode1 = ExitStatus{.signaled = false, .code = 1}.Describe();

TEST(LogLinesTest, PrimaryLines) {
  EXPECT_EQ(Captured([] { LogPrimaryRunning(10, 4, "0.0.0.0", 3000); }),
            "Primary 10 is running: 4 workers on 0.0.0.0:3000\n");
  EXPECT_EQ(Captured([] { LogPrimaryStopped(10, false); }), "Primary 10 stopped\n");
  EXPECT_EQ(Captured([] { LogPrimaryStopped(10, true); }), "Primary 10 stopped (forced)\n");
  EXPECT_EQ(Captured([] { LogStopping(10, "SIGTERM", 3); }),
            "Primary 10: SIGTERM, stopping 3 workers\n");
  EXPECT_EQ(Captured([] { LogKillingWorkers(10, "second SIGINT"); }),
            "Primary 10: second SIGINT, killing workers\n");
  EXPECT_EQ(Captured([] { LogWatchdogLate(10, absl::Milliseconds(1500)); }),
            "Primary 10: watchdog ran 1500 ms late (was the primary stopped?); heartbeat clocks "
            "restarted\n");
  EXPECT_EQ(Captured([] { LogError(absl::InvalidArgumentError("bind: in use")); }),
            "ringleader: bind: in use\n");
  EXPECT_EQ(Captured([] { LogPrimaryLoopFailed(absl::InternalError("x")); }),
            "ringleader: event loop failed: x\n");
}

TEST(LogLinesTest, WorkerLifecycleLines) {
  EXPECT_EQ(Captured([] { LogWorkerOnline(42); }), "Worker 42 is online\n");
  EXPECT_EQ(Captured([] { LogWorkerListening(42); }), "Worker 42 is listening\n");
  EXPECT_EQ(Captured([] { LogWorkerHung(42, absl::Milliseconds(5250)); }),
            "Worker 42 is hung (no heartbeat for 5250 ms): killing it\n");
  EXPECT_EQ(Captured([] { LogWorkerExited(42, kCode0); }), "Worker 42 exited (code 0)\n");
  EXPECT_EQ(Captured([] { LogWorkerRestarting(42, kKilled); }),
            "Worker 42 died (SIGKILL). Restarting...\n");
  EXPECT_EQ(Captured([] { LogWorkerRestarting(42, kCode0); }),
            "Worker 42 exited (code 0). Restarting...\n")
      << "a clean exit is not a death";
  EXPECT_EQ(Captured([] { LogWorkerRestartingIn(42, kCode1, absl::Milliseconds(92)); }),
            "Worker 42 died (code 1). Restarting in 92 ms...\n");
  EXPECT_EQ(Captured([] { LogWorkerParked(42, kCode1, 3); }),
            "Worker 42 died (code 1). Slot 3 parked; not restarting.\n");
  EXPECT_EQ(Captured([] { LogAllSlotsParked(2); }),
            "ringleader: all 2 worker slots are parked: no worker can serve, exiting (status 69) "
            "rather than accept connections\n");
  EXPECT_EQ(Captured([] {
              LogWorkerBusCount(42, 1, "message of an unknown type", "dropped, ", 10);
            }),
            "ringleader: worker 42 (slot 1): message of an unknown type (dropped, 10 so far)\n");
  EXPECT_EQ(Captured([] { LogSignalFailed(42, SIGTERM, -ESRCH); }),
            "ringleader: cannot send SIGTERM to worker 42: No such process\n");
}

TEST(LogLinesTest, FleetLines) {
  EXPECT_EQ(Captured([] { LogRolloutStarted("SIGUSR2"); }),
            "Rolling restart (SIGUSR2): replacing workers one slot at a time\n");
  EXPECT_EQ(Captured([] { LogRolloutQueued("SIGHUP"); }),
            "Rolling restart (SIGHUP) requested while one runs: one more will follow\n");
  EXPECT_EQ(Captured([] { LogRolloutComplete(); }), "Rolling restart complete\n");
  EXPECT_EQ(Captured([] { LogRolloutNewWorkerDied(43, 0, kCode1); }),
            "Rolling restart stopped: new worker 43 for slot 0 died (code 1) before listening; "
            "the old workers stay in service\n");
  EXPECT_EQ(Captured([] { LogScalingUp(10, 4); }), "Primary 10: scaling up (slot 4)\n");
  EXPECT_EQ(Captured([] { LogScalingDown(10, 4); }), "Primary 10: scaling down (slot 4)\n");
  EXPECT_EQ(Captured([] { LogNotScalingBelowOne(); }),
            "ringleader: not scaling below one worker\n");
}

TEST(LogLinesTest, WorkerSideLines) {
  EXPECT_EQ(Captured([] { LogWorkerCannotStart(42, absl::InvalidArgumentError("bad"), true); }),
            "Worker 42 cannot start: bad (configuration error, not restarted)\n");
  EXPECT_EQ(Captured([] {
              LogWorkerCannotStart(42, absl::ResourceExhaustedError("ENOMEM"), false);
            }),
            "Worker 42 cannot start: ENOMEM (will be retried)\n");
  EXPECT_EQ(Captured([] { LogWorkerDrainBound(42); }), "Worker 42: drain bound reached, exiting\n");
  EXPECT_EQ(Captured([] { LogWorkerFailGeneration(42, 2); }),
            "Worker 42: --debug_fail_generation=2, exiting at start\n");
}

}  // namespace
}  // namespace ringleader
