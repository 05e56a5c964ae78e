// Integration: a primary that was stopped (SIGSTOP/SIGCONT, `docker pause`) for longer than
// --watchdog_timeout must not take its own stall for hung workers: on waking it reads the
// heartbeats that queued up meanwhile and re-baselines, instead of killing everyone at once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::UnorderedElementsAreArray;

TEST(PrimaryStall, StoppedPrimaryDoesNotWatchdogKillHealthyWorkers) {
  auto server = RingleaderServer::Start({"--workers=2", "--watchdog_timeout=1s"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::vector<pid_t> workers = server->process().Children();
  ASSERT_EQ(workers.size(), 2u);

  server->process().Signal(SIGSTOP);
  absl::SleepFor(absl::Milliseconds(2500));  // 2.5 × the watchdog timeout
  server->process().Signal(SIGCONT);
  // Long enough for a watchdog decision (tick 250 ms) and, had it killed, for the trace to say so.
  absl::SleepFor(absl::Milliseconds(1500));

  for (const TraceRecord& r : server->Trace().records) {
    EXPECT_NE(r.event, WorkerEvent::kWatchdogTimeout) << "pid " << r.pid << ": " << r.cause;
  }
  EXPECT_FALSE(absl::StrContains(server->process().Stderr(), "is hung"))
      << server->process().Stderr();
  EXPECT_THAT(server->process().Children(), UnorderedElementsAreArray(workers));
  for (int i = 0; i < 4; ++i) {
    auto reply = HttpGet(server->port(), "/health");
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 200);
  }
  EXPECT_THAT(TraceViolations(server->trace_path(), {workers.begin(), workers.end()}), IsEmpty());
}

}  // namespace
}  // namespace ringleader::testing
