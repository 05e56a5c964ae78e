// Unit tests for fsm/fleet.h: rollout order, coalescing, abort, skipping, scaling, parking.
#include "fsm/fleet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringleader {
namespace {

using F = FleetActionKind;
using K = SlotActionKind;

// "slot 1 spawn_incoming", "arm_stagger", ...: a step's actions in a comparable form.
std::vector<std::string> Names(const FleetStep& step) {
  std::vector<std::string> out;
  for (const FleetAction& a : step.actions) {
    if (a.kind == F::kSlot) {
      out.push_back("slot " + std::to_string(a.slot) + " " +
                    std::string(SlotActionName(a.slot_action.kind)));
    } else {
      out.push_back(std::string(FleetActionName(a.kind)));
    }
  }
  return out;
}

using V = std::vector<std::string>;

WorkerExit Exit(uint32_t generation, bool ever_listened = true) {
  return {.generation = generation, .pid = 500 + static_cast<int>(generation), .status = "code 1",
          .ever_listened = ever_listened, .uptime = absl::Minutes(1), .now = absl::UnixEpoch()};
}

// Two slots started and listening.
Fleet TwoServing() {
  Fleet fleet({}, 1);
  EXPECT_EQ(Names(fleet.Start(2)), (V{"slot 0 spawn_current", "slot 1 spawn_current"}));
  EXPECT_TRUE(fleet.WorkerListening(0, 1, 10).legal);
  EXPECT_TRUE(fleet.WorkerListening(1, 1, 11).legal);
  return fleet;
}

TEST(FleetTest, RolloutReplacesOneSlotAtATimeWithAStagger) {
  Fleet fleet = TwoServing();
  EXPECT_EQ(Names(fleet.RolloutRequested("SIGUSR2")),
            (V{"report_rollout_started", "slot 0 spawn_incoming"}));
  EXPECT_EQ(Names(fleet.WorkerListening(0, 2, 20)),
            (V{"slot 0 drain", "slot 0 rollout_slot_done", "arm_stagger"}));
  EXPECT_EQ(Names(fleet.StaggerElapsed()), (V{"slot 1 spawn_incoming"}));
  EXPECT_EQ(Names(fleet.WorkerListening(1, 2, 21)),
            (V{"slot 1 drain", "slot 1 rollout_slot_done", "report_rollout_complete"}));
  EXPECT_FALSE(fleet.rollout_active());
  EXPECT_EQ(fleet.completed_rollouts(), 1);
}

TEST(FleetTest, RequestsDuringARolloutCoalesceIntoOneMore) {
  Fleet fleet = TwoServing();
  fleet.RolloutRequested("SIGUSR2");
  EXPECT_EQ(Names(fleet.RolloutRequested("SIGHUP")), (V{"report_rollout_coalesced"}));
  EXPECT_EQ(Names(fleet.RolloutRequested("SIGHUP")), (V{"report_rollout_coalesced"}));
  fleet.WorkerListening(0, 2, 20);
  fleet.StaggerElapsed();
  EXPECT_EQ(Names(fleet.WorkerListening(1, 2, 21)),
            (V{"slot 1 drain", "slot 1 rollout_slot_done", "report_rollout_complete",
               "arm_stagger"}));
  EXPECT_EQ(Names(fleet.StaggerElapsed()), (V{"slot 0 spawn_incoming"}));
  fleet.WorkerListening(0, 3, 30);
  fleet.StaggerElapsed();
  fleet.WorkerListening(1, 3, 31);
  EXPECT_EQ(fleet.completed_rollouts(), 2);
  EXPECT_FALSE(fleet.rollout_active());
}

TEST(FleetTest, AReplacementThatDiesStopsTheRolloutAndDropsTheCoalescedOne) {
  Fleet fleet = TwoServing();
  fleet.RolloutRequested("SIGUSR2");
  fleet.RolloutRequested("SIGUSR2");
  const FleetStep step = fleet.WorkerExited(0, Exit(2, false));
  EXPECT_EQ(Names(step), (V{"slot 0 rollout_slot_failed"}));
  EXPECT_EQ(FormatExitPlan(step.plan), "rolling restart stopped, old worker stays");
  EXPECT_FALSE(fleet.rollout_active());
  EXPECT_EQ(fleet.slot(0).current(), 1u);
}

TEST(FleetTest, AFailedForkStopsTheRollout) {
  Fleet fleet = TwoServing();
  fleet.RolloutRequested("SIGUSR2");
  EXPECT_EQ(Names(fleet.SpawnFailed(0, 2)), (V{"slot 0 rollout_spawn_failed"}));
  EXPECT_FALSE(fleet.rollout_active());
}

TEST(FleetTest, ScaledAwaySlotsAreSkipped) {
  Fleet fleet = TwoServing();
  fleet.RolloutRequested("SIGUSR2");
  EXPECT_EQ(Names(fleet.ScaleDown()), (V{"report_scale_down", "slot 1 drain"}));
  fleet.WorkerListening(0, 2, 20);
  EXPECT_EQ(Names(fleet.StaggerElapsed()), V{});  // slot 1 is retired: the rollout is done
  EXPECT_FALSE(fleet.rollout_active());
  EXPECT_EQ(fleet.completed_rollouts(), 1);
}

TEST(FleetTest, ScaleDownPrefersAnEmptySlotAndKeepsTheLastWorker) {
  Fleet fleet = TwoServing();
  EXPECT_EQ(Names(fleet.SpawnFailed(0, 1)), V{"slot 0 arm_respawn"});  // pretend: no worker
  EXPECT_EQ(Names(fleet.ScaleDown()), (V{"report_scale_down", "slot 0 cancel_respawn"}));
  EXPECT_EQ(Names(fleet.ScaleDown()), V{"report_not_below_one"});
  EXPECT_EQ(Names(fleet.ScaleUp()), (V{"report_scale_up", "slot 0 spawn_current"}));
  EXPECT_EQ(Names(fleet.ScaleUp()), (V{"report_scale_up", "slot 2 spawn_current"}));
}

TEST(FleetTest, WhenEverySlotIsParkedTheFleetSaysSo) {
  Fleet fleet = TwoServing();
  WorkerExit fatal = Exit(1);
  fatal.fatal = true;
  FleetStep step = fleet.WorkerExited(0, fatal);
  EXPECT_EQ(Names(step), (V{"slot 0 report_parked", "slot 0 slot_parked"}));
  EXPECT_EQ(step.plan.next, ExitNext::kParkedFatal);
  step = fleet.WorkerExited(1, fatal);
  EXPECT_EQ(Names(step), (V{"slot 1 report_parked", "slot 1 slot_parked", "all_slots_parked"}));
  EXPECT_EQ(step.actions.back().count, 2);
}

TEST(FleetTest, NothingMovesOnceStopping) {
  Fleet fleet = TwoServing();
  fleet.RolloutRequested("SIGUSR2");
  fleet.WorkerListening(0, 2, 20);
  EXPECT_EQ(Names(fleet.Shutdown()), V{"cancel_stagger"});
  EXPECT_TRUE(Names(fleet.RolloutRequested("SIGUSR2")).empty());
  EXPECT_TRUE(Names(fleet.ScaleUp()).empty());
  EXPECT_TRUE(Names(fleet.StaggerElapsed()).empty());
  const FleetStep step = fleet.WorkerExited(0, Exit(2));
  EXPECT_EQ(Names(step), V{"slot 0 report_exited"});
  EXPECT_EQ(step.plan, ExitPlan{});
}

TEST(FleetTest, ListeningOfAWorkerNoSlotTracksIsRefusedAndCounted) {
  Fleet fleet = TwoServing();
  EXPECT_FALSE(fleet.WorkerListening(0, 7, 70).legal);
  EXPECT_EQ(fleet.refused(), 1u);
}

}  // namespace
}  // namespace ringleader
