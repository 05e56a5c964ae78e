// Unit tests for fsm/slot.h: every (slot state, input) pair against a table written by hand,
// the crash-loop decisions, and generations.
#include "fsm/slot.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

namespace ringleader {
namespace {

using S = SlotState;
using I = SlotInput;
using K = SlotActionKind;
using N = ExitNext;

constexpr RestartPolicyOptions kPolicy{};

// An exit of the slot's worker that `input` names, after a long, healthy life: restart now.
WorkerExit ExitFor(const SlotMachine& slot, I input, absl::Duration uptime = absl::Minutes(1)) {
  const uint32_t generation = input == I::kCurrentExited    ? slot.current()
                              : input == I::kIncomingExited ? slot.incoming()
                                                            : 99;
  return WorkerExit{.generation = generation, .pid = 100, .status = "code 1", .fatal = false,
                    .ever_listened = true, .uptime = uptime, .now = absl::UnixEpoch()};
}

SlotStep Feed(SlotMachine& slot, I input) {
  const WorkerExit exit = ExitFor(slot, input);
  return slot.Apply(input, &exit, 200);
}

// A fresh slot driven into `state` by legal inputs (a path through the table).
SlotMachine MachineIn(S state) {
  SlotMachine slot(0, kPolicy, 1);
  auto go = [&slot](std::initializer_list<I> inputs) {
    for (I i : inputs) EXPECT_TRUE(Feed(slot, i).legal) << SlotInputName(i);
  };
  switch (state) {
    case S::kVacant: break;
    case S::kServing: go({I::kStart}); break;
    case S::kReplacing: go({I::kStart, I::kRolloutSpawn}); break;
    case S::kReplacementOnly: go({I::kStart, I::kRolloutSpawn, I::kCurrentExited}); break;
    case S::kBackoff: go({I::kStart, I::kCurrentSpawnFailed}); break;
    case S::kParked: {
      go({I::kStart});
      WorkerExit fatal = ExitFor(slot, I::kCurrentExited);
      fatal.fatal = true;
      EXPECT_TRUE(slot.Apply(I::kCurrentExited, &fatal).legal);
      break;
    }
    case S::kReviving: {
      slot = MachineIn(S::kParked);
      go({I::kRolloutSpawn});
      break;
    }
    case S::kRetiring: go({I::kStart, I::kScaleDown}); break;
    case S::kRetired: go({I::kStart, I::kCurrentSpawnFailed, I::kScaleDown}); break;
    case S::kStopping: go({I::kStart, I::kShutdown}); break;
    case S::kStopped: go({I::kShutdown}); break;
  }
  EXPECT_EQ(slot.state(), state);
  return slot;
}

struct Row {
  S next;
  std::vector<K> actions;
  ExitPlan plan;
};

// Every legal pair, written out by hand; every pair not listed must be refused.
std::map<std::pair<S, I>, Row> LegalRows() {
  const ExitPlan none{};
  return {
      {{S::kVacant, I::kStart}, {S::kServing, {K::kSpawnCurrent}, none}},
      {{S::kVacant, I::kScaleUp}, {S::kServing, {K::kSpawnCurrent}, none}},
      {{S::kVacant, I::kShutdown}, {S::kStopped, {}, none}},
      {{S::kVacant, I::kRespawnTimer}, {S::kVacant, {}, none}},
      // serving: its worker may listen, die (restart now), be replaced, retired, stopped.
      {{S::kServing, I::kCurrentListening}, {S::kServing, {}, none}},
      {{S::kServing, I::kRolloutSpawn}, {S::kReplacing, {K::kSpawnIncoming}, none}},
      {{S::kServing, I::kCurrentExited},
       {S::kServing, {K::kReportRestart, K::kSpawnCurrent}, {.next = N::kRestartNow}}},
      {{S::kServing, I::kOldExited}, {S::kServing, {K::kReportExited}, none}},
      {{S::kServing, I::kCurrentSpawnFailed}, {S::kBackoff, {K::kArmRespawn}, none}},
      {{S::kServing, I::kScaleDown}, {S::kRetiring, {K::kDrain}, none}},
      {{S::kServing, I::kShutdown}, {S::kStopping, {}, none}},
      {{S::kServing, I::kRespawnTimer}, {S::kServing, {}, none}},
      // replacing: the incoming worker listens (old drains) or fails (old stays).
      {{S::kReplacing, I::kCurrentListening}, {S::kReplacing, {}, none}},
      {{S::kReplacing, I::kIncomingListening},
       {S::kServing, {K::kDrain, K::kRolloutSlotDone}, none}},
      {{S::kReplacing, I::kCurrentExited},
       {S::kReplacementOnly, {K::kReportExited}, {.next = N::kReplacementStarting}}},
      {{S::kReplacing, I::kIncomingExited},
       {S::kServing, {K::kRolloutSlotFailed},
        {.next = N::kOldWorkerStays, .rollout_stopped = true}}},
      {{S::kReplacing, I::kOldExited}, {S::kReplacing, {K::kReportExited}, none}},
      {{S::kReplacing, I::kIncomingSpawnFailed}, {S::kServing, {K::kRolloutSpawnFailed}, none}},
      {{S::kReplacing, I::kScaleDown}, {S::kRetiring, {K::kDrain, K::kDrain}, none}},
      {{S::kReplacing, I::kShutdown}, {S::kStopping, {}, none}},
      {{S::kReplacing, I::kRespawnTimer}, {S::kReplacing, {}, none}},
      // replacement only: no old worker to fall back on.
      {{S::kReplacementOnly, I::kIncomingListening},
       {S::kServing, {K::kRolloutSlotDone}, none}},
      {{S::kReplacementOnly, I::kIncomingExited},
       {S::kServing, {K::kRolloutSlotFailed, K::kReportRestart, K::kSpawnCurrent},
        {.next = N::kRestartNow, .rollout_stopped = true}}},
      {{S::kReplacementOnly, I::kOldExited}, {S::kReplacementOnly, {K::kReportExited}, none}},
      {{S::kReplacementOnly, I::kIncomingSpawnFailed},
       {S::kBackoff, {K::kRolloutSpawnFailed, K::kArmRespawn}, none}},
      {{S::kReplacementOnly, I::kScaleDown}, {S::kRetiring, {K::kDrain}, none}},
      {{S::kReplacementOnly, I::kShutdown}, {S::kStopping, {}, none}},
      {{S::kReplacementOnly, I::kRespawnTimer}, {S::kReplacementOnly, {}, none}},
      // backoff: the timer is armed, and cancelled whenever the slot leaves without it firing.
      {{S::kBackoff, I::kRespawnTimer}, {S::kServing, {K::kSpawnCurrent}, none}},
      {{S::kBackoff, I::kRolloutSpawn},
       {S::kReplacementOnly, {K::kCancelRespawn, K::kSpawnIncoming}, none}},
      {{S::kBackoff, I::kOldExited}, {S::kBackoff, {K::kReportExited}, none}},
      {{S::kBackoff, I::kScaleDown}, {S::kRetired, {K::kCancelRespawn}, none}},
      {{S::kBackoff, I::kShutdown}, {S::kStopped, {K::kCancelRespawn}, none}},
      // parked: only an operator (rollout, scale down) or a stop moves it.
      {{S::kParked, I::kRolloutSpawn}, {S::kReviving, {K::kSpawnIncoming}, none}},
      {{S::kParked, I::kOldExited}, {S::kParked, {K::kReportExited}, none}},
      {{S::kParked, I::kScaleDown}, {S::kRetired, {}, none}},
      {{S::kParked, I::kShutdown}, {S::kStopped, {}, none}},
      {{S::kParked, I::kRespawnTimer}, {S::kParked, {}, none}},
      // reviving: as replacement-only, but a failed fork parks the slot again.
      {{S::kReviving, I::kIncomingListening}, {S::kServing, {K::kRolloutSlotDone}, none}},
      {{S::kReviving, I::kIncomingExited},
       {S::kServing, {K::kRolloutSlotFailed, K::kReportRestart, K::kSpawnCurrent},
        {.next = N::kRestartNow, .rollout_stopped = true}}},
      {{S::kReviving, I::kOldExited}, {S::kReviving, {K::kReportExited}, none}},
      {{S::kReviving, I::kIncomingSpawnFailed},
       {S::kParked, {K::kRolloutSpawnFailed}, none}},
      {{S::kReviving, I::kScaleDown}, {S::kRetiring, {K::kDrain}, none}},
      {{S::kReviving, I::kShutdown}, {S::kStopping, {}, none}},
      {{S::kReviving, I::kRespawnTimer}, {S::kReviving, {}, none}},
      // retiring (its current worker drains).
      {{S::kRetiring, I::kCurrentExited},
       {S::kRetired, {K::kReportExited}, {.next = N::kSlotScaledDown}}},
      {{S::kRetiring, I::kOldExited}, {S::kRetiring, {K::kReportExited}, none}},
      {{S::kRetiring, I::kShutdown}, {S::kRetiring, {}, none}},
      {{S::kRetiring, I::kRespawnTimer}, {S::kRetiring, {}, none}},
      {{S::kRetired, I::kScaleUp}, {S::kServing, {K::kSpawnCurrent}, none}},
      {{S::kRetired, I::kOldExited}, {S::kRetired, {K::kReportExited}, none}},
      {{S::kRetired, I::kShutdown}, {S::kStopped, {}, none}},
      {{S::kRetired, I::kRespawnTimer}, {S::kRetired, {}, none}},
      // stopping (its current worker drains), stopped.
      {{S::kStopping, I::kCurrentExited}, {S::kStopped, {K::kReportExited}, none}},
      {{S::kStopping, I::kOldExited}, {S::kStopping, {K::kReportExited}, none}},
      {{S::kStopping, I::kShutdown}, {S::kStopping, {}, none}},
      {{S::kStopping, I::kRespawnTimer}, {S::kStopping, {}, none}},
      {{S::kStopped, I::kOldExited}, {S::kStopped, {K::kReportExited}, none}},
      {{S::kStopped, I::kShutdown}, {S::kStopped, {}, none}},
      {{S::kStopped, I::kRespawnTimer}, {S::kStopped, {}, none}},
  };
}

std::vector<K> Kinds(const SlotStep& step) {
  std::vector<K> out;
  for (const SlotAction& a : step.actions) out.push_back(a.kind);
  return out;
}

TEST(SlotTableTest, EveryPairMatchesTheTable) {
  const auto rows = LegalRows();
  int legal = 0;
  for (int s = 0; s < kSlotStateCount; ++s) {
    for (int i = 0; i < kSlotInputCount; ++i) {
      const auto state = static_cast<S>(s);
      const auto input = static_cast<I>(i);
      SCOPED_TRACE(testing::Message() << SlotStateName(state) << " + " << SlotInputName(input));
      SlotMachine slot = MachineIn(state);
      const uint64_t refused_before = slot.refused();
      const SlotStep step = Feed(slot, input);
      const auto row = rows.find({state, input});
      if (row == rows.end()) {
        EXPECT_FALSE(step.legal);
        EXPECT_TRUE(step.actions.empty());
        EXPECT_EQ(slot.state(), state) << "a refused input changes nothing";
        EXPECT_EQ(slot.refused(), refused_before + 1) << "and is counted";
        continue;
      }
      ++legal;
      EXPECT_TRUE(step.legal);
      EXPECT_EQ(step.next, row->second.next);
      EXPECT_EQ(slot.state(), row->second.next);
      EXPECT_EQ(Kinds(step), row->second.actions);
      EXPECT_EQ(step.plan, row->second.plan);
    }
  }
  EXPECT_EQ(legal, static_cast<int>(rows.size())) << "every row names a reachable pair";
}

TEST(SlotMachineTest, QuickDeathsBackOffThenPark) {
  SlotMachine slot(0, {.max_restarts = 3}, 7);
  ASSERT_TRUE(Feed(slot, I::kStart).legal);
  WorkerExit quick = ExitFor(slot, I::kCurrentExited, absl::Milliseconds(10));
  SlotStep step = slot.Apply(I::kCurrentExited, &quick);
  EXPECT_EQ(step.next, S::kBackoff);
  EXPECT_EQ(step.plan.next, N::kRestartIn);
  EXPECT_GT(step.plan.delay_ms, 0);
  EXPECT_EQ(Kinds(step), (std::vector<K>{K::kReportBackoff, K::kArmRespawn}));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(slot.Apply(I::kRespawnTimer).legal);
    quick = ExitFor(slot, I::kCurrentExited, absl::Milliseconds(10));
    step = slot.Apply(I::kCurrentExited, &quick);
  }
  EXPECT_EQ(step.next, S::kParked);
  EXPECT_EQ(step.plan.next, N::kParkedCrashLoop);
  EXPECT_EQ(Kinds(step), (std::vector<K>{K::kReportParked, K::kSlotParked}));
}

TEST(SlotMachineTest, AWorkerThatNeverListenedIsACrashLoopHoweverLongItLived) {
  SlotMachine slot(0, kPolicy, 7);
  ASSERT_TRUE(Feed(slot, I::kStart).legal);
  WorkerExit exit = ExitFor(slot, I::kCurrentExited, absl::Minutes(5));
  exit.ever_listened = false;
  EXPECT_EQ(slot.Apply(I::kCurrentExited, &exit).plan.next, N::kRestartIn);
}

TEST(SlotMachineTest, ReplacementCarriesThePredecessorAndTheListenerPid) {
  SlotMachine slot(3, kPolicy, 7);
  ASSERT_TRUE(Feed(slot, I::kStart).legal);
  SlotStep step = Feed(slot, I::kCurrentExited);
  ASSERT_EQ(step.actions.back().kind, K::kSpawnCurrent);
  EXPECT_EQ(step.actions.back().birth,
            (BirthCause{.kind = BirthKind::kReplace, .pid = 100, .status = "code 1"}));
  EXPECT_EQ(step.actions.back().generation, 2u);
  ASSERT_TRUE(Feed(slot, I::kRolloutSpawn).legal);
  step = slot.Apply(I::kIncomingListening, nullptr, 4242);
  ASSERT_EQ(step.actions.front().kind, K::kDrain);
  EXPECT_EQ(step.actions.front().generation, 2u);
  EXPECT_EQ(step.actions.front().drain, (DrainCause{.kind = DrainKind::kReplacedBy, .pid = 4242}));
  EXPECT_EQ(slot.current(), 3u);
  EXPECT_EQ(slot.incoming(), 0u);
}

TEST(SlotMachineTest, AFailedForkGivesItsGenerationBack) {
  SlotMachine slot(0, kPolicy, 7);
  ASSERT_TRUE(Feed(slot, I::kStart).legal);
  ASSERT_TRUE(Feed(slot, I::kCurrentSpawnFailed).legal);
  EXPECT_EQ(slot.generation(), 0u);
  const SlotStep step = slot.Apply(I::kRespawnTimer);
  EXPECT_EQ(step.actions.front().generation, 1u);
  EXPECT_EQ(step.actions.front().birth.kind, BirthKind::kRestartAfterBackoff);
}

TEST(SlotMachineTest, RetiringWaitsForBothWorkers) {
  SlotMachine slot = MachineIn(S::kReplacing);
  ASSERT_TRUE(Feed(slot, I::kScaleDown).legal);
  SlotStep step = Feed(slot, I::kIncomingExited);
  EXPECT_EQ(Kinds(step), (std::vector<K>{K::kRolloutSlotSkipped}));
  EXPECT_EQ(step.plan.next, N::kSlotScaledDown);
  EXPECT_EQ(step.next, S::kRetiring);
  EXPECT_EQ(Feed(slot, I::kCurrentExited).next, S::kRetired);
}

TEST(SlotMachineTest, StoppingReportsAReplacementThatDiedAsAStoppedRollout) {
  SlotMachine slot = MachineIn(S::kReplacing);
  ASSERT_TRUE(Feed(slot, I::kShutdown).legal);
  SlotStep step = Feed(slot, I::kIncomingExited);
  EXPECT_EQ(Kinds(step), (std::vector<K>{K::kRolloutSlotFailed}));
  EXPECT_EQ(step.plan, ExitPlan{});
  EXPECT_EQ(Feed(slot, I::kCurrentExited).next, S::kStopped);
}

TEST(SlotNamesTest, AreDistinct) {
  std::set<std::string_view> names;
  for (int s = 0; s < kSlotStateCount; ++s) names.insert(SlotStateName(static_cast<S>(s)));
  EXPECT_EQ(names.size(), static_cast<size_t>(kSlotStateCount));
  names.clear();
  for (int i = 0; i < kSlotInputCount; ++i) names.insert(SlotInputName(static_cast<I>(i)));
  EXPECT_EQ(names.size(), static_cast<size_t>(kSlotInputCount));
  names.clear();
  for (int k = 0; k < kSlotActionKindCount; ++k) {
    names.insert(SlotActionName(static_cast<K>(k)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kSlotActionKindCount));
}

}  // namespace
}  // namespace ringleader
