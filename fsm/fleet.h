// Fleet: every worker slot (fsm/slot.h) plus the one thing that spans slots, the rolling
// restart's order. Pure: the primary feeds it what happened and carries out the actions.
//
//   Fleet fleet(options.restart, ::getpid());
//   FleetStep s = fleet.Start(4);                       // four kSpawnCurrent slot actions
//   s = fleet.RolloutRequested("SIGUSR2");             // one slot at a time
//   s = fleet.WorkerListening(slot, generation, pid);  // old worker drains, stagger armed
//   s = fleet.StaggerElapsed();                        // the next slot's replacement
//   s = fleet.WorkerExited(slot, exit);  Trace(FormatExitCause(exit.status, s.plan));
//
// Rollouts: a request while one runs is coalesced — exactly one more full rollout follows,
// over the slots that were in service at the last request. A replacement that dies before it
// listens, or cannot be forked, stops the rollout and drops the coalesced one (the deploy is
// broken; the old workers stay in service). A slot scaled away is skipped. Only one slot is
// replaced at a time and the stagger timer runs only between two slots, so it is never armed
// twice. Nothing moves once Shutdown() was called.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fsm/slot.h"

namespace ringleader {

enum class FleetActionKind : uint8_t {
  kSlot,                    // carry out `slot_action` for slot `slot`
  kArmStagger,              // arm the stagger timer (the pause between two slots)
  kCancelStagger,
  kReportRolloutStarted,    // "Rolling restart (WHY): replacing workers one slot at a time"
  kReportRolloutCoalesced,  // "... requested while one runs: one more will follow"
  kReportRolloutComplete,   // "Rolling restart complete"
  kReportScaleUp,           // "scaling up (slot N)"
  kReportScaleDown,         // "scaling down (slot N)"
  kReportNotBelowOne,       // "not scaling below one worker"
  kAllSlotsParked,          // every slot in service is parked: `count` of them; stop
};

struct FleetAction {
  FleetActionKind kind = FleetActionKind::kSlot;
  int slot = -1;
  SlotAction slot_action;  // kSlot
  std::string why;         // kReportRollout*
  int count = 0;           // kAllSlotsParked
};

struct FleetStep {
  bool legal = true;  // false: an input the slot's state refuses (counted)
  ExitPlan plan;      // WorkerExited: what its exit record says follows
  std::vector<FleetAction> actions;
};

class Fleet {
 public:
  // Slot i's jitter is seeded from seed_base * 7919 + i, so slots do not retry in lockstep.
  Fleet(RestartPolicyOptions options, uint64_t seed_base) : options_(options), seed_(seed_base) {}

  FleetStep Start(int workers);
  FleetStep WorkerListening(int slot, uint32_t generation, int pid);
  FleetStep WorkerExited(int slot, const WorkerExit& exit);
  // A kSpawnCurrent/kSpawnIncoming action for `generation` could not be carried out.
  FleetStep SpawnFailed(int slot, uint32_t generation);
  FleetStep RespawnTimerFired(int slot);
  FleetStep StaggerElapsed();
  FleetStep RolloutRequested(std::string_view why);
  FleetStep ScaleUp();
  FleetStep ScaleDown();
  FleetStep Shutdown();

  int size() const { return static_cast<int>(slots_.size()); }
  const SlotMachine& slot(int i) const { return slots_[static_cast<size_t>(i)]; }
  bool stopping() const { return stopping_; }
  bool rollout_active() const;
  bool stagger_armed() const { return rollout_ == RolloutPhase::kStaggering; }
  int completed_rollouts() const { return completed_; }
  // Inputs refused by a slot's table, or naming a worker no slot has.
  uint64_t refused() const;

 private:
  enum class RolloutPhase : uint8_t {
    kIdle,        // no slot being replaced, no stagger running
    kReplacing,   // in_progress_'s replacement is starting
    kStaggering,  // the stagger timer runs before the next slot
  };

  int AddSlot();  // its index
  void Feed(int slot, SlotInput input, FleetStep& out, const WorkerExit* exit = nullptr,
            int pid = 0);
  void OnSlotAction(int slot, SlotActionKind kind, FleetStep& out);
  void StepRollout(FleetStep& out);
  std::optional<int> NextSlot();
  bool SlotReplaced(int slot);
  void SlotFailed(int slot);
  void ArmStaggerIfActive(FleetStep& out);
  void CheckAllParked(FleetStep& out);
  void Report(FleetActionKind kind, FleetStep& out, int slot = -1, std::string_view why = "");

  RestartPolicyOptions options_;
  uint64_t seed_;
  std::vector<SlotMachine> slots_;
  bool stopping_ = false;
  uint64_t refused_ = 0;
  // The rollout.
  RolloutPhase rollout_ = RolloutPhase::kIdle;
  int in_progress_ = -1;
  std::deque<int> pending_;
  std::optional<std::vector<int>> queued_;  // a coalesced request waits for the current one
  int completed_ = 0;
};

std::string_view FleetActionName(FleetActionKind kind) noexcept;

}  // namespace ringleader
