// The slot transition table: one switch per state, every input named, no default.
// Over 300 lines on purpose: eleven states × thirteen inputs, every pair written out so a new
// state or input is a compile error; split, the table could no longer be read in one place.
#include "fsm/slot.h"

#include <utility>

namespace ringleader {

using S = SlotState;
using I = SlotInput;
using K = SlotActionKind;

// Collects one step's actions and plan; commits the slot's state only through Go().
struct SlotMachine::Builder {
  SlotMachine& slot;
  const WorkerExit* exit;
  int listener_pid;
  SlotStep step;

  SlotStep Go(S next) {
    slot.state_ = next;
    step.legal = true;
    step.next = next;
    return std::move(step);
  }
  SlotStep Refuse() {
    ++slot.refused_;
    return SlotStep{.legal = false, .next = slot.state_};
  }
  void Add(SlotAction a) { step.actions.push_back(std::move(a)); }
  // About the worker that exited.
  void Report(K kind) { Add({.kind = kind, .pid = exit->pid, .status = exit->status}); }
  void ArmRespawn(absl::Duration delay) { Add({.kind = K::kArmRespawn, .delay = delay}); }

  SlotStep SpawnCurrent(BirthCause birth) {
    slot.current_ = ++slot.generation_;
    Add({.kind = K::kSpawnCurrent, .generation = slot.current_, .birth = std::move(birth)});
    return Go(S::kServing);
  }
  void SpawnIncoming() {
    slot.incoming_ = ++slot.generation_;
    Add({.kind = K::kSpawnIncoming, .generation = slot.incoming_,
         .birth = {.kind = BirthKind::kRollingRestart}});
  }
  void Drain(uint32_t generation, DrainCause cause) {
    Add({.kind = K::kDrain, .generation = generation, .drain = std::move(cause)});
  }
  // A fork that failed named no worker: its generation is given back.
  void ForgetSpawn(uint32_t& worker) {
    worker = 0;
    --slot.generation_;
  }
  // The incoming worker becomes the current one; the old current one (if any) drains.
  SlotStep Promote() {
    if (slot.current_ != 0) {
      Drain(slot.current_, {.kind = DrainKind::kReplacedBy, .pid = listener_pid});
    }
    slot.current_ = std::exchange(slot.incoming_, 0);
    Add({.kind = K::kRolloutSlotDone});
    return Go(S::kServing);
  }

  // The slot has no worker left: the crash-loop policy decides what follows the exit.
  SlotStep Decide(bool rollout_stopped) {
    const Death death = exit->fatal           ? Death::kFatal
                        : exit->ever_listened ? Death::kAfterListening
                                              : Death::kBeforeListening;
    const RestartDecision d = slot.policy_.OnExit(exit->uptime, exit->now, death);
    step.plan.rollout_stopped = rollout_stopped;
    if (d.park) {
      step.plan.next = death == Death::kFatal ? ExitNext::kParkedFatal : ExitNext::kParkedCrashLoop;
      Report(K::kReportParked);
      Add({.kind = K::kSlotParked});
      return Go(S::kParked);
    }
    if (d.delay > absl::ZeroDuration()) {
      step.plan.next = ExitNext::kRestartIn;
      step.plan.delay_ms = absl::ToInt64Milliseconds(d.delay);
      Add({.kind = K::kReportBackoff, .pid = exit->pid, .status = exit->status, .delay = d.delay});
      ArmRespawn(d.delay);
      return Go(S::kBackoff);
    }
    step.plan.next = ExitNext::kRestartNow;
    Report(K::kReportRestart);
    return SpawnCurrent({.kind = BirthKind::kReplace, .pid = exit->pid, .status = exit->status});
  }

  // A worker of a slot that keeps no more state about it exited.
  SlotStep OldExited() {
    Report(K::kReportExited);
    return Go(slot.state_);
  }
  // One of a draining slot's workers exited; `empty` is where the slot goes when none is left.
  SlotStep DrainedExit(uint32_t& worker, ExitNext plan, S empty) {
    worker = 0;
    step.plan.next = plan;
    return Go(slot.current_ == 0 && slot.incoming_ == 0 ? empty : slot.state_);
  }
  // A stale timer completion (its cancel lost the race): nothing to do.
  SlotStep Stay() { return Go(slot.state_); }
};

SlotStep SlotMachine::Apply(SlotInput input, const WorkerExit* exit, int listener_pid) noexcept {
  Builder b{*this, exit, listener_pid, {}};
  const bool needs_exit =
      input == I::kCurrentExited || input == I::kIncomingExited || input == I::kOldExited;
  if (needs_exit && exit == nullptr) return b.Refuse();
  // An input about a worker the slot does not have is refused whatever the state.
  const bool about_current = input == I::kCurrentListening || input == I::kCurrentExited ||
                             input == I::kCurrentSpawnFailed;
  const bool about_incoming = input == I::kIncomingListening || input == I::kIncomingExited ||
                              input == I::kIncomingSpawnFailed;
  if ((about_current && current_ == 0) || (about_incoming && incoming_ == 0)) return b.Refuse();
  switch (state_) {
    case S::kVacant: return FromVacant(input, b);
    case S::kServing: return FromServing(input, b);
    case S::kReplacing: return FromReplacing(input, b);
    case S::kReplacementOnly: return FromReplacementOnly(input, b);
    case S::kBackoff: return FromBackoff(input, b);
    case S::kParked: return FromParked(input, b);
    case S::kReviving: return FromReviving(input, b);
    case S::kRetiring: return FromRetiring(input, b);
    case S::kRetired: return FromRetired(input, b);
    case S::kStopping: return FromStopping(input, b);
    case S::kStopped: return FromStopped(input, b);
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromVacant(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kStart: return b.SpawnCurrent({.kind = BirthKind::kStart});
    case I::kScaleUp: return b.SpawnCurrent({.kind = BirthKind::kScaleUp});
    case I::kShutdown: return b.Go(S::kStopped);
    case I::kRespawnTimer: return b.Stay();
    case I::kRolloutSpawn:  // a slot joins rollouts once it has started
    case I::kCurrentListening:
    case I::kIncomingListening:
    case I::kCurrentExited:
    case I::kIncomingExited:
    case I::kOldExited:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
    case I::kScaleDown:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromServing(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kCurrentListening: return b.Stay();  // every worker listens: nothing to decide
    case I::kRolloutSpawn:
      b.SpawnIncoming();
      return b.Go(S::kReplacing);
    case I::kCurrentExited:
      current_ = 0;
      return b.Decide(false);
    case I::kOldExited: return b.OldExited();
    case I::kCurrentSpawnFailed:
      b.ForgetSpawn(current_);
      b.ArmRespawn(kSpawnRetryDelay);
      return b.Go(S::kBackoff);
    case I::kScaleDown:
      b.Drain(current_, {.kind = DrainKind::kScaleDown});
      return b.Go(S::kRetiring);
    case I::kShutdown: return b.Go(S::kStopping);
    case I::kRespawnTimer: return b.Stay();
    case I::kStart:
    case I::kScaleUp:
    case I::kIncomingListening:  // no incoming worker
    case I::kIncomingExited:
    case I::kIncomingSpawnFailed:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromReplacing(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kCurrentListening: return b.Stay();
    case I::kIncomingListening: return b.Promote();
    case I::kCurrentExited:
      // No restart: the incoming worker will serve for the slot.
      current_ = 0;
      b.Report(K::kReportExited);
      b.step.plan.next = ExitNext::kReplacementStarting;
      return b.Go(S::kReplacementOnly);
    case I::kIncomingExited:
      incoming_ = 0;
      b.Report(K::kRolloutSlotFailed);
      b.step.plan = {.next = ExitNext::kOldWorkerStays, .rollout_stopped = true};
      return b.Go(S::kServing);
    case I::kOldExited: return b.OldExited();
    case I::kIncomingSpawnFailed:
      b.ForgetSpawn(incoming_);
      b.Add({.kind = K::kRolloutSpawnFailed});
      return b.Go(S::kServing);
    case I::kScaleDown:
      b.Drain(current_, {.kind = DrainKind::kScaleDown});
      b.Drain(incoming_, {.kind = DrainKind::kScaleDown});
      return b.Go(S::kRetiring);
    case I::kShutdown: return b.Go(S::kStopping);
    case I::kRespawnTimer: return b.Stay();
    case I::kStart:
    case I::kScaleUp:
    case I::kRolloutSpawn:  // one incoming worker per slot
    case I::kCurrentSpawnFailed:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromReplacementOnly(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kIncomingListening: return b.Promote();
    case I::kIncomingExited:
      // No old worker to fall back on: the slot must not stay empty.
      incoming_ = 0;
      b.Report(K::kRolloutSlotFailed);
      return b.Decide(true);
    case I::kOldExited: return b.OldExited();
    case I::kIncomingSpawnFailed:
      b.ForgetSpawn(incoming_);
      b.Add({.kind = K::kRolloutSpawnFailed});
      b.ArmRespawn(kSpawnRetryDelay);
      return b.Go(S::kBackoff);
    case I::kScaleDown:
      b.Drain(incoming_, {.kind = DrainKind::kScaleDown});
      return b.Go(S::kRetiring);
    case I::kShutdown: return b.Go(S::kStopping);
    case I::kRespawnTimer: return b.Stay();
    case I::kStart:
    case I::kScaleUp:
    case I::kRolloutSpawn:
    case I::kCurrentListening:  // no current worker
    case I::kCurrentExited:
    case I::kCurrentSpawnFailed:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromBackoff(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kRespawnTimer: return b.SpawnCurrent({.kind = BirthKind::kRestartAfterBackoff});
    case I::kRolloutSpawn:
      // The replacement serves for the slot: the backoff restart is no longer needed.
      b.Add({.kind = K::kCancelRespawn});
      b.SpawnIncoming();
      return b.Go(S::kReplacementOnly);
    case I::kOldExited: return b.OldExited();
    case I::kScaleDown:
      b.Add({.kind = K::kCancelRespawn});
      return b.Go(S::kRetired);
    case I::kShutdown:
      b.Add({.kind = K::kCancelRespawn});
      return b.Go(S::kStopped);
    case I::kStart:
    case I::kScaleUp:
    case I::kCurrentListening:
    case I::kIncomingListening:
    case I::kCurrentExited:
    case I::kIncomingExited:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromParked(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kRolloutSpawn:  // an operator's rollout may revive it
      b.SpawnIncoming();
      return b.Go(S::kReviving);
    case I::kOldExited: return b.OldExited();
    case I::kScaleDown: return b.Go(S::kRetired);
    case I::kShutdown: return b.Go(S::kStopped);
    case I::kRespawnTimer: return b.Stay();
    case I::kStart:
    case I::kScaleUp:
    case I::kCurrentListening:
    case I::kIncomingListening:
    case I::kCurrentExited:
    case I::kIncomingExited:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
      return b.Refuse();
  }
  return b.Refuse();
}

// As replacement-only, but a replacement that cannot be forked leaves the slot parked, as the
// operator found it: no restart the crash-loop policy had refused.
SlotStep SlotMachine::FromReviving(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kIncomingSpawnFailed:
      b.ForgetSpawn(incoming_);
      b.Add({.kind = K::kRolloutSpawnFailed});
      return b.Go(S::kParked);
    case I::kStart:
    case I::kScaleUp:
    case I::kRolloutSpawn:
    case I::kCurrentListening:
    case I::kIncomingListening:
    case I::kCurrentExited:
    case I::kIncomingExited:
    case I::kOldExited:
    case I::kCurrentSpawnFailed:
    case I::kRespawnTimer:
    case I::kScaleDown:
    case I::kShutdown:
      return FromReplacementOnly(input, b);
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromRetiring(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kCurrentExited:
      b.Report(K::kReportExited);
      return b.DrainedExit(current_, ExitNext::kSlotScaledDown, S::kRetired);
    case I::kIncomingExited:
      b.Add({.kind = K::kRolloutSlotSkipped});
      return b.DrainedExit(incoming_, ExitNext::kSlotScaledDown, S::kRetired);
    case I::kOldExited: return b.OldExited();
    case I::kShutdown:  // already draining
    case I::kRespawnTimer:
      return b.Stay();
    case I::kStart:
    case I::kScaleUp:  // reused only once retired
    case I::kRolloutSpawn:
    case I::kCurrentListening:   // a draining worker never announces listening
    case I::kIncomingListening:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
    case I::kScaleDown:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromRetired(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kScaleUp:
      policy_.Reset();  // a new worker in a reused slot owes nothing to the old crash history
      return b.SpawnCurrent({.kind = BirthKind::kScaleUp});
    case I::kOldExited: return b.OldExited();
    case I::kShutdown: return b.Go(S::kStopped);
    case I::kRespawnTimer: return b.Stay();
    case I::kStart:
    case I::kRolloutSpawn:
    case I::kCurrentListening:
    case I::kIncomingListening:
    case I::kCurrentExited:
    case I::kIncomingExited:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
    case I::kScaleDown:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromStopping(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kCurrentExited:
      b.Report(K::kReportExited);
      return b.DrainedExit(current_, ExitNext::kNothing, S::kStopped);
    case I::kIncomingExited:
      b.Report(K::kRolloutSlotFailed);
      return b.DrainedExit(incoming_, ExitNext::kNothing, S::kStopped);
    case I::kOldExited: return b.OldExited();
    case I::kShutdown:
    case I::kRespawnTimer:
      return b.Stay();
    case I::kStart:
    case I::kScaleUp:
    case I::kRolloutSpawn:
    case I::kCurrentListening:  // drained before it could listen
    case I::kIncomingListening:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
    case I::kScaleDown:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotStep SlotMachine::FromStopped(SlotInput input, Builder& b) noexcept {
  switch (input) {
    case I::kOldExited: return b.OldExited();
    case I::kShutdown:
    case I::kRespawnTimer:
      return b.Stay();
    case I::kStart:
    case I::kScaleUp:
    case I::kRolloutSpawn:
    case I::kCurrentListening:
    case I::kIncomingListening:
    case I::kCurrentExited:
    case I::kIncomingExited:
    case I::kCurrentSpawnFailed:
    case I::kIncomingSpawnFailed:
    case I::kScaleDown:
      return b.Refuse();
  }
  return b.Refuse();
}

SlotInput SlotMachine::ExitInput(uint32_t generation) const noexcept {
  if (generation != 0 && generation == current_) return I::kCurrentExited;
  if (generation != 0 && generation == incoming_) return I::kIncomingExited;
  return I::kOldExited;
}

std::optional<SlotInput> SlotMachine::ListeningInput(uint32_t generation) const noexcept {
  if (generation != 0 && generation == current_) return I::kCurrentListening;
  if (generation != 0 && generation == incoming_) return I::kIncomingListening;
  return std::nullopt;
}

std::string_view SlotStateName(SlotState state) noexcept {
  switch (state) {
    case S::kVacant: return "vacant";
    case S::kServing: return "serving";
    case S::kReplacing: return "replacing";
    case S::kReplacementOnly: return "replacement_only";
    case S::kBackoff: return "backoff";
    case S::kParked: return "parked";
    case S::kReviving: return "reviving";
    case S::kRetiring: return "retiring";
    case S::kRetired: return "retired";
    case S::kStopping: return "stopping";
    case S::kStopped: return "stopped";
  }
  return "?";
}

std::string_view SlotInputName(SlotInput input) noexcept {
  switch (input) {
    case I::kStart: return "start";
    case I::kScaleUp: return "scale_up";
    case I::kRolloutSpawn: return "rollout_spawn";
    case I::kCurrentListening: return "current_listening";
    case I::kIncomingListening: return "incoming_listening";
    case I::kCurrentExited: return "current_exited";
    case I::kIncomingExited: return "incoming_exited";
    case I::kOldExited: return "old_exited";
    case I::kCurrentSpawnFailed: return "current_spawn_failed";
    case I::kIncomingSpawnFailed: return "incoming_spawn_failed";
    case I::kRespawnTimer: return "respawn_timer";
    case I::kScaleDown: return "scale_down";
    case I::kShutdown: return "shutdown";
  }
  return "?";
}

std::string_view SlotActionName(SlotActionKind kind) noexcept {
  switch (kind) {
    case K::kSpawnCurrent: return "spawn_current";
    case K::kSpawnIncoming: return "spawn_incoming";
    case K::kDrain: return "drain";
    case K::kArmRespawn: return "arm_respawn";
    case K::kCancelRespawn: return "cancel_respawn";
    case K::kReportExited: return "report_exited";
    case K::kReportRestart: return "report_restart";
    case K::kReportBackoff: return "report_backoff";
    case K::kReportParked: return "report_parked";
    case K::kRolloutSlotDone: return "rollout_slot_done";
    case K::kRolloutSlotSkipped: return "rollout_slot_skipped";
    case K::kRolloutSlotFailed: return "rollout_slot_failed";
    case K::kRolloutSpawnFailed: return "rollout_spawn_failed";
    case K::kSlotParked: return "slot_parked";
  }
  return "?";
}

}  // namespace ringleader
