// Integration: a worker killed with SIGKILL is replaced within a second, and the trace shows
// the dead worker's "→ dead" and the replacement's forking → online → listening.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// A worker that lived a while (past --min_uptime) is an ordinary crash: replaced at once.
TEST(CrashRestart, KilledWorkerIsReplacedWithinOneSecond) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto before = server->process().Children();
  ASSERT_THAT(before, SizeIs(2));
  absl::SleepFor(absl::Milliseconds(1100));  // past the default min_uptime of 1 s

  const pid_t victim = before[0];
  const absl::Time killed_at = absl::Now();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);

  pid_t replacement = 0;
  const bool replaced = Eventually(absl::Seconds(1), [&] {
    for (pid_t p : server->process().Children()) {
      if (p != before[0] && p != before[1]) replacement = p;
    }
    if (replacement == 0) return false;
    auto reply = HttpGet(server->port(), "/health", absl::Milliseconds(200));
    return reply.ok() && reply->status == 200 &&
           server->process().Stderr().find("Worker " + std::to_string(replacement) +
                                           " is listening") != std::string::npos;
  });
  const absl::Duration took = absl::Now() - killed_at;
  ASSERT_TRUE(replaced) << server->process().Stderr();
  EXPECT_LT(took, absl::Seconds(1));
  RecordProperty("crash_to_listening_ms", static_cast<int>(absl::ToInt64Milliseconds(took)));
  std::printf("crash -> replacement listening: %lld ms\n",
              static_cast<long long>(absl::ToInt64Milliseconds(took)));

  EXPECT_TRUE(server->process().WaitForLog(
      "Worker " + std::to_string(victim) + " died (SIGKILL). Restarting...", absl::Seconds(1)));
  // The replacement serves: fresh connections reach both the survivor and the new worker.
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] {
    auto pids = server->DistinctWorkerPids(8);
    return std::find(pids.begin(), pids.end(), replacement) != pids.end();
  }));

  const TraceFile trace = server->Trace();
  EXPECT_THAT(trace.errors, IsEmpty());
  EXPECT_THAT(trace.Path(victim),
              ElementsAre("null>forking", "forking>online", "online>listening", "listening>dead"));
  EXPECT_EQ(trace.ForPid(victim).back().cause, "SIGKILL; restart now");
  EXPECT_THAT(trace.Path(replacement),
              ElementsAre("null>forking", "forking>online", "online>listening"));
  EXPECT_EQ(trace.ForPid(replacement).front().generation, 2u);
  EXPECT_EQ(trace.ForPid(replacement).front().slot, trace.ForPid(victim).front().slot);
}

}  // namespace
}  // namespace ringleader::testing
