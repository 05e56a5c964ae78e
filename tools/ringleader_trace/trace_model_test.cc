// Unit tests for TraceModel: phases per worker, escalations, how lives end, serving counts,
// and the timeline text built on them.
#include "tools/ringleader_trace/trace_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/ringleader_trace/test_records.h"
#include "tools/ringleader_trace/timeline.h"

namespace ringleader::trace_tool {
namespace {

using ::testing::HasSubstr;
using S = WorkerState;
using E = WorkerEvent;

TEST(ParseExitCauseTest, StatusAndPlan) {
  EXPECT_EQ(ParseExitCause("code 1; restart in 92 ms").status, "code 1");
  EXPECT_EQ(ParseExitCause("code 1; restart in 92 ms").plan_text, "restart in 92 ms");
  EXPECT_EQ(ParseExitCause("SIGKILL").status, "SIGKILL");
  EXPECT_EQ(ParseExitCause("SIGKILL").plan_text, "");
  EXPECT_EQ(ParseExitCause("").status, "");
}

TEST(TraceModelTest, GroupsRecordsPerWorkerGeneration) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Start(1, 1, 1, 101, "start").Drain(500, 0, 1, 100, "bye", 7);
  const TraceModel& m = t.model();
  ASSERT_EQ(m.workers.size(), 2u);
  EXPECT_EQ(m.records, 8);
  EXPECT_EQ(m.first_ns, 0);
  EXPECT_EQ(m.last_ns, 507'000'000);
  const WorkerHistory& w = m.workers[0];
  EXPECT_TRUE(w.born_in_trace);
  EXPECT_EQ(w.birth_cause, "start");
  ASSERT_EQ(w.phases.size(), 5u);
  EXPECT_EQ(w.EnteredAt(S::kListening), 16'000'000);
  EXPECT_EQ(w.EnteredAt(S::kDead), 507'000'000);
  EXPECT_TRUE(w.dead());
  EXPECT_EQ(w.end(), EndKind::kDrained);
  EXPECT_EQ(w.DiedIn(), S::kDraining);
  EXPECT_EQ(m.workers[1].end(), EndKind::kAlive);
}

TEST(TraceModelTest, AddReturnsTheWorkerOnItsDeathOnly) {
  TraceModelBuilder b;
  EXPECT_FALSE(b.Add(1, {1, 0, 1, 100, std::nullopt, S::kForking, E::kForked, "start"}));
  EXPECT_EQ(b.Add(2, {2, 0, 1, 100, S::kForking, S::kDead, E::kExited, "code 1"}), 0u);
}

TEST(TraceModelTest, SortsBySlotThenGeneration) {
  TraceScript t;
  t.Birth(0, 1, 1, 11, "start").Birth(1, 0, 2, 12, "start").Birth(2, 0, 1, 13, "start");
  const std::vector<size_t> order = t.model().BySlot();
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(t.model().workers[order[0]].pid, 13);
  EXPECT_EQ(t.model().workers[order[1]].pid, 12);
  EXPECT_EQ(t.model().workers[order[2]].pid, 11);
}

TEST(TraceModelTest, EscalationsAndHowEachLifeEnds) {
  TraceScript t;
  // Watchdog: listening → draining (watchdog_timeout) → dead.
  t.Start(0, 0, 1, 100, "start")
      .Step(100, 0, 1, 100, S::kDraining, E::kWatchdogTimeout, "no heartbeat for 1200 ms")
      .Step(101, 0, 1, 100, S::kDead, E::kExited, "SIGKILL; restart now");
  // Drain timeout: a mark in draining.
  t.Start(0, 1, 1, 200, "start")
      .Step(50, 1, 1, 200, S::kDraining, E::kDrainRequested, "shutdown (SIGTERM)")
      .Step(350, 1, 1, 200, S::kDraining, E::kDrainTimeout)
      .Step(352, 1, 1, 200, S::kDead, E::kExited, "SIGKILL");
  // Ready timeout while forking.
  t.Birth(0, 2, 1, 300, "start")
      .Step(5000, 2, 1, 300, S::kDraining, E::kReadyTimeout)
      .Step(5001, 2, 1, 300, S::kDead, E::kExited, "SIGKILL; restart now");
  // Crash.
  t.Birth(0, 3, 1, 400, "start")
      .Step(20, 3, 1, 400, S::kDead, E::kExited, "code 1; restart in 92 ms");
  const auto& w = t.model().workers;
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0].end(), EndKind::kWatchdogKill);
  EXPECT_EQ(w[1].end(), EndKind::kDrainTimeoutKill);
  ASSERT_EQ(w[1].marks.size(), 1u);
  EXPECT_EQ(w[1].marks[0].event, E::kDrainTimeout);
  EXPECT_EQ(w[2].end(), EndKind::kReadyTimeoutKill);
  EXPECT_EQ(w[3].end(), EndKind::kCrashed);
  EXPECT_EQ(w[3].DiedIn(), S::kForking);
  EXPECT_EQ(w[3].exit().plan_text, "restart in 92 ms");

  EXPECT_EQ(DescribeEnd(w[0]),
            "killed by the watchdog (no heartbeat for 1200 ms), SIGKILL; restart now");
  EXPECT_EQ(DescribeEnd(w[1]), "killed after the drain timeout, SIGKILL");
  EXPECT_EQ(DescribeEnd(w[2]), "killed after the ready timeout, SIGKILL; restart now");
  EXPECT_EQ(DescribeEnd(w[3]), "crashed while forking, code 1; restart in 92 ms");
}

TEST(TraceModelTest, AWorkerBornBeforeTheTraceStartsAtTheTraceStart) {
  TraceScript t;
  t.Birth(1000, 0, 2, 100, "rolling restart");
  t.Add({1010 * 1'000'000, 0, 1, 50, S::kListening, S::kDraining, E::kDrainRequested, "x"});
  const WorkerHistory& old = t.model().workers[1];
  EXPECT_FALSE(old.born_in_trace);
  ASSERT_EQ(old.phases.size(), 2u);
  EXPECT_FALSE(old.phases[0].start_known);
  EXPECT_EQ(old.phases[0].state, S::kListening);
  EXPECT_EQ(old.phases[0].start_ns, 1000 * 1'000'000);
  EXPECT_FALSE(old.EnteredAt(S::kListening).has_value());
  const std::string text = RenderWorker(old, t.model());
  EXPECT_THAT(text, HasSubstr("born before the trace"));
  EXPECT_THAT(text, HasSubstr("<+0.000s"));
  EXPECT_THAT(text, HasSubstr("still draining at the end of the trace"));
}

TEST(TraceModelTest, ServingCountsListeningWorkers) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Start(0, 1, 1, 101, "start");      // 2 listening at 16 ms
  t.Start(100, 0, 2, 102, "rolling restart");                       // 3 at 116 ms
  t.Drain(117, 0, 1, 100, "rolling restart: replaced by pid 102");  // 2 at 117 ms
  const auto steps = ServingOverTime(t.model());
  ASSERT_EQ(steps.size(), 3u);  // both first workers listen at the same instant: one step
  EXPECT_EQ(steps[0].t_ns, 16'000'000);
  EXPECT_EQ(steps[0].serving, 2);
  EXPECT_EQ(steps[1].serving, 3);
  EXPECT_EQ(steps[2].serving, 2);
  EXPECT_EQ(steps[2].t_ns, 117'000'000);
}

TEST(TimelineTest, RendersStatesDurationsAndTheEnd) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start")
      .Step(50, 0, 1, 100, S::kDraining, E::kDrainRequested, "shutdown (SIGTERM)")
      .Step(350, 0, 1, 100, S::kDraining, E::kDrainTimeout)
      .Step(352, 0, 1, 100, S::kDead, E::kExited, "SIGKILL");
  EXPECT_EQ(RenderWorker(t.model().workers[0], t.model()),
            "slot 0  gen 1  pid 100  (start)\n"
            "     +0.000s  forking       15.0 ms\n"
            "     +0.015s  online         1.0 ms\n"
            "     +0.016s  listening     34.0 ms\n"
            "     +0.050s  draining     302.0 ms  drain_requested: shutdown (SIGTERM)\n"
            "     +0.350s  ! drain_timeout\n"
            "     +0.352s  dead\n"
            "  ended +0.352s: killed after the drain timeout, SIGKILL\n\n");
}

TEST(TimelineTest, AStateStillRunningShowsItsDurationSoFar) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start").Birth(1000, 1, 1, 101, "scale up");
  const std::string text = RenderWorker(t.model().workers[0], t.model());
  EXPECT_THAT(text, HasSubstr("listening   >984.0 ms"));
  EXPECT_THAT(text, HasSubstr("still listening at the end of the trace (+1.000s)"));
}

}  // namespace
}  // namespace ringleader::trace_tool
