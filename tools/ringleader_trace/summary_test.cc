// Unit tests for --summary's numbers: percentiles, replacement latency, restart causes, crash
// loops, parked slots and rolling restarts (rollouts.h).
#include "tools/ringleader_trace/summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/ringleader_trace/rollouts.h"
#include "tools/ringleader_trace/test_records.h"

namespace ringleader::trace_tool {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using S = WorkerState;
using E = WorkerEvent;

constexpr int64_t kMs = 1'000'000;

TEST(LatencyStatsTest, NearestRankPercentiles) {
  LatencyStats l{"x", {1, 2, 3, 4}};
  EXPECT_EQ(l.Percentile(50), 2);
  EXPECT_EQ(l.Percentile(95), 4);
  EXPECT_EQ(l.Percentile(0), 1);
  EXPECT_EQ(l.max(), 4);
  std::vector<int64_t> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  LatencyStats h{"h", hundred};
  EXPECT_EQ(h.Percentile(50), 50);
  EXPECT_EQ(h.Percentile(95), 95);
  EXPECT_EQ(h.Percentile(99), 99);
  EXPECT_EQ(LatencyStats{}.Percentile(50), 0);
}

const LatencyStats& Named(const Summary& s, const std::string& prefix) {
  for (const LatencyStats& l : s.latencies) {
    if (l.name.starts_with(prefix)) return l;
  }
  ADD_FAILURE() << "no latency " << prefix;
  return s.latencies.front();
}

TEST(SummaryTest, StepLatencies) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Drain(1000, 0, 1, 100, "shutdown (SIGTERM)", 7);
  const Summary s = Summarise(t.model(), 0);
  EXPECT_THAT(Named(s, "fork -> online").samples, ElementsAre(15 * kMs));
  EXPECT_THAT(Named(s, "online -> listening").samples, ElementsAre(1 * kMs));
  EXPECT_THAT(Named(s, "listening -> draining").samples, ElementsAre(984 * kMs));
  EXPECT_THAT(Named(s, "draining -> dead").samples, ElementsAre(7 * kMs));
  EXPECT_THAT(s.ends, ElementsAre(Pair("drained", 1)));
}

TEST(SummaryTest, ReplacementLatencyIsExitToTheNextGenerationListening) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Start(0, 1, 1, 101, "start");
  t.Step(500, 0, 1, 100, S::kDead, E::kExited, "SIGKILL; restart now");
  t.Start(501, 0, 2, 102, "replace pid 100 (SIGKILL)");  // listening at 517: 17 ms after exit
  // A rolling restart's successor listens before its predecessor exits: not a replacement gap.
  t.Start(600, 1, 2, 103, "rolling restart");
  t.Drain(616, 1, 1, 101, "rolling restart: replaced by pid 103");
  const Summary s = Summarise(t.model(), 0);
  EXPECT_THAT(Named(s, "replacement").samples, ElementsAre(17 * kMs));
  EXPECT_THAT(s.restarts_by_cause,
              ElementsAre(Pair("crash (SIGKILL)", 1), Pair("rolling restart", 1)));
}

// After a stopped rollout the slot's newest generation is the dead newcomer; a later crash of
// the old worker is still what the next birth replaces.
TEST(SummaryTest, ReplacementAfterAStoppedRollout) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start");
  t.Birth(1000, 0, 2, 200, "rolling restart")
      .Step(1020, 0, 2, 200, S::kDead, E::kExited,
            "code 1; rolling restart stopped, old worker stays");
  t.Step(3000, 0, 1, 100, S::kDead, E::kExited, "SIGKILL; restart now");
  t.Start(3001, 0, 3, 300, "replace pid 100 (SIGKILL)");  // listening at 3017
  const Summary s = Summarise(t.model(), 0);
  EXPECT_THAT(Named(s, "replacement").samples, ElementsAre(17 * kMs));
  EXPECT_THAT(s.restarts_by_cause,
              ElementsAre(Pair("rolling restart", 1), Pair("crash (SIGKILL)", 1)));
}

TEST(SummaryTest, RestartCausesComeFromThePredecessorsEnd) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start")
      .Step(100, 0, 1, 100, S::kDraining, E::kWatchdogTimeout, "no heartbeat for 1200 ms")
      .Step(101, 0, 1, 100, S::kDead, E::kExited, "SIGKILL; restart now")
      .Start(102, 0, 2, 101, "replace pid 100 (SIGKILL)")
      .Step(200, 0, 2, 101, S::kDead, E::kExited, "SIGABRT; restart now")
      .Start(201, 0, 3, 102, "replace pid 101 (SIGABRT)")
      .Start(300, 1, 1, 103, "scale up");
  const Summary s = Summarise(t.model(), 0);
  EXPECT_THAT(s.restarts_by_cause, ElementsAre(Pair("watchdog", 1), Pair("crash (SIGABRT)", 1)));
}

// A crash loop as the primary traces it: a long-lived worker crashes, then its replacements
// die at once with growing backoff, and the slot is parked.
TraceScript CrashLoopTrace() {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Start(0, 1, 1, 200, "start");
  t.Step(1500, 0, 1, 100, S::kDead, E::kExited, "SIGABRT; restart now");
  t.Birth(1501, 0, 2, 101, "replace pid 100 (SIGABRT)")
      .Step(1520, 0, 2, 101, S::kDead, E::kExited, "code 1; restart in 92 ms");
  t.Birth(1612, 0, 3, 102, "restart after backoff")
      .Step(1632, 0, 3, 102, S::kDead, E::kExited, "code 1; restart in 163 ms");
  t.Birth(1795, 0, 4, 103, "restart after backoff")
      .Step(1815, 0, 4, 103, S::kDead, E::kExited, "code 1; slot parked (crash loop)");
  return t;
}

TEST(SummaryTest, CrashLoopsAndParkedSlots) {
  TraceScript t = CrashLoopTrace();
  const Summary s = Summarise(t.model(), 0);
  ASSERT_EQ(s.crash_loops.size(), 1u);
  EXPECT_EQ(s.crash_loops[0].slot, 0);
  EXPECT_EQ(s.crash_loops[0].workers.size(), 3u);
  EXPECT_THAT(s.crash_loops[0].backoffs, ElementsAre("92 ms", "163 ms"));
  EXPECT_TRUE(s.crash_loops[0].parked);
  ASSERT_EQ(s.parked.size(), 1u);
  EXPECT_EQ(s.parked[0].why, "crash loop");
  EXPECT_EQ(s.parked[0].at_ns, 1815 * kMs);
  EXPECT_EQ(s.parked[0].revived_ns, -1);
  EXPECT_THAT(s.restarts_by_cause,
              ElementsAre(Pair("crash (SIGABRT)", 1), Pair("crash (code 1)", 2)));
  const std::string text = RenderSummary(s, t.model());
  EXPECT_THAT(text, HasSubstr("slot 0: 3 quick deaths (gen 2-4) from +1.501s to +1.815s, "
                              "backoff 92 ms, 163 ms, then parked"));
  EXPECT_THAT(text, HasSubstr("slot 0 parked at +1.815s (crash loop), still parked at the end"));
}

TEST(SummaryTest, AParkedSlotRevivedByARollout) {
  TraceScript t = CrashLoopTrace();
  t.Start(5000, 0, 5, 104, "rolling restart");
  const Summary s = Summarise(t.model(), 0);
  ASSERT_EQ(s.parked.size(), 1u);
  EXPECT_EQ(s.parked[0].revived_ns, 5000 * kMs);
  EXPECT_EQ(s.parked[0].revived_by, "rolling restart");
}

TEST(SummaryTest, OneQuickDeathIsNotACrashLoop) {
  TraceScript t;
  t.Birth(0, 0, 1, 100, "start")
      .Step(20, 0, 1, 100, S::kDead, E::kExited, "code 1; restart in 100 ms");
  t.Start(120, 0, 2, 101, "restart after backoff");
  EXPECT_TRUE(Summarise(t.model(), 0).crash_loops.empty());
}

// `slots` workers, then one rolling restart replacing them slot by slot, 200 ms apart.
TraceScript RolloutTrace(int slots, int64_t start_ms) {
  TraceScript t;
  for (int i = 0; i < slots; ++i) t.Start(0, i, 1, 100 + i, "start");
  for (int i = 0; i < slots; ++i) {
    const int64_t at = start_ms + 200 * i;
    t.Start(at, i, 2, 200 + i, "rolling restart");
    t.Drain(at + 16, i, 1, 100 + i, "rolling restart: replaced by pid " + std::to_string(200 + i),
            30);
  }
  return t;
}

TEST(RolloutsTest, MeasuresLengthAndWorstMoment) {
  TraceScript t = RolloutTrace(3, 1000);
  const auto rollouts = FindRollouts(t.model());
  ASSERT_EQ(rollouts.size(), 1u);
  const Rollout& r = rollouts[0];
  EXPECT_EQ(r.start_ns, 1000 * kMs);
  EXPECT_EQ(r.end_ns, 1416 * kMs);  // the last new worker listening
  EXPECT_EQ(r.old_gone_ns, 1446 * kMs);
  EXPECT_EQ(r.slots_replaced, 3);
  EXPECT_EQ(r.serving_before, 3);
  EXPECT_EQ(r.serving_min, 3);  // a new worker listens before the old one drains
  EXPECT_TRUE(r.stopped.empty());
  const std::string text = RenderSummary(Summarise(t.model(), 0), t.model());
  EXPECT_THAT(text, HasSubstr("#1 +1.000s to +1.416s: 416.0 ms, 3 of 3 slots replaced, "
                              "old workers gone at +1.446s"));
  EXPECT_THAT(text, HasSubstr("serving: 3 before, 3 at worst"));
}

TEST(RolloutsTest, ASlotComingRoundAgainStartsTheNextRollout) {
  TraceScript t = RolloutTrace(2, 1000);
  t.Start(2000, 0, 3, 300, "rolling restart")
      .Drain(2016, 0, 2, 200, "rolling restart: replaced by pid 300");
  t.Start(2200, 1, 3, 301, "rolling restart")
      .Drain(2216, 1, 2, 201, "rolling restart: replaced by pid 301");
  const auto rollouts = FindRollouts(t.model());
  ASSERT_EQ(rollouts.size(), 2u);
  EXPECT_EQ(rollouts[1].start_ns, 2000 * kMs);
  EXPECT_EQ(rollouts[1].slots_replaced, 2);
}

TEST(RolloutsTest, AFailedNewWorkerStopsTheRollout) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Start(0, 1, 1, 101, "start");
  t.Birth(1000, 0, 2, 200, "rolling restart")
      .Step(1020, 0, 2, 200, S::kDead, E::kExited,
            "code 1; rolling restart stopped, old worker stays");
  const auto rollouts = FindRollouts(t.model());
  ASSERT_EQ(rollouts.size(), 1u);
  EXPECT_EQ(rollouts[0].slots_replaced, 0);
  EXPECT_THAT(rollouts[0].stopped, HasSubstr("slot 0: new worker pid 200 exited (code 1)"));
  EXPECT_EQ(rollouts[0].serving_min, 2);
}

TEST(RolloutsTest, SeesADipInServingWorkers) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Start(0, 1, 1, 101, "start");
  t.Birth(1000, 0, 2, 200, "rolling restart");
  t.Step(1005, 1, 1, 101, S::kDead, E::kExited, "SIGKILL; restart now");  // a crash meanwhile
  t.Step(1015, 0, 2, 200, S::kOnline, E::kOnlineMessage)
      .Step(1016, 0, 2, 200, S::kListening, E::kListeningMessage);
  const auto rollouts = FindRollouts(t.model());
  ASSERT_EQ(rollouts.size(), 1u);
  EXPECT_EQ(rollouts[0].serving_before, 2);
  EXPECT_EQ(rollouts[0].serving_min, 1);
  EXPECT_EQ(rollouts[0].serving_min_at, 1005 * kMs);
}

TEST(SummaryTest, RendersAnEmptyTraceAndSkippedLines) {
  TraceModel empty;
  const std::string text = RenderSummary(Summarise(empty, 3), empty);
  EXPECT_THAT(text, HasSubstr("trace: 0 records"));
  EXPECT_THAT(text, HasSubstr("skipped: 3 unreadable lines"));
  EXPECT_THAT(text, HasSubstr("rolling restarts: none"));
}

}  // namespace
}  // namespace ringleader::trace_tool
