// Fleet: slot inputs routed by worker generation, and the rolling restart's order.
#include "fsm/fleet.h"

#include <utility>

namespace ringleader {

using I = SlotInput;
using F = FleetActionKind;

FleetStep Fleet::Start(int workers) {
  FleetStep out;
  for (int i = 0; i < workers; ++i) Feed(AddSlot(), I::kStart, out);
  return out;
}

FleetStep Fleet::WorkerListening(int slot, uint32_t generation, int pid) {
  FleetStep out;
  const std::optional<SlotInput> input = slots_[static_cast<size_t>(slot)].ListeningInput(generation);
  if (!input) {
    ++refused_;  // an old generation drains: it never announces listening
    out.legal = false;
    return out;
  }
  Feed(slot, *input, out, nullptr, pid);
  return out;
}

FleetStep Fleet::WorkerExited(int slot, const WorkerExit& exit) {
  FleetStep out;
  Feed(slot, slots_[static_cast<size_t>(slot)].ExitInput(exit.generation), out, &exit);
  if (stopping_) out.plan = ExitPlan{};  // nothing follows any exit once the primary stops
  return out;
}

FleetStep Fleet::SpawnFailed(int slot, uint32_t generation) {
  FleetStep out;
  const SlotMachine& s = slots_[static_cast<size_t>(slot)];
  if (generation != 0 && generation == s.current()) {
    Feed(slot, I::kCurrentSpawnFailed, out);
  } else if (generation != 0 && generation == s.incoming()) {
    Feed(slot, I::kIncomingSpawnFailed, out);
  } else {
    ++refused_;
    out.legal = false;
  }
  return out;
}

FleetStep Fleet::RespawnTimerFired(int slot) {
  FleetStep out;
  Feed(slot, I::kRespawnTimer, out);
  return out;
}

FleetStep Fleet::StaggerElapsed() {
  FleetStep out;
  // A completion that lost the race with Shutdown's cancel.
  if (stopping_ || rollout_ != RolloutPhase::kStaggering) return out;
  rollout_ = RolloutPhase::kIdle;
  StepRollout(out);
  return out;
}

FleetStep Fleet::RolloutRequested(std::string_view why) {
  FleetStep out;
  if (stopping_) return out;
  std::vector<int> slots;
  for (const SlotMachine& s : slots_) {
    if (!s.retired()) slots.push_back(s.index());
  }
  if (rollout_active()) {
    queued_ = std::move(slots);
    Report(F::kReportRolloutCoalesced, out, -1, why);
    return out;
  }
  pending_.assign(slots.begin(), slots.end());
  Report(F::kReportRolloutStarted, out, -1, why);
  StepRollout(out);
  return out;
}

FleetStep Fleet::ScaleUp() {
  FleetStep out;
  if (stopping_) return out;
  int slot = -1;
  for (const SlotMachine& s : slots_) {
    if (s.state() == SlotState::kRetired) slot = s.index();  // the highest is reused
  }
  if (slot < 0) slot = AddSlot();
  Report(F::kReportScaleUp, out, slot);
  Feed(slot, I::kScaleUp, out);
  return out;
}

FleetStep Fleet::ScaleDown() {
  FleetStep out;
  if (stopping_) return out;
  int serving = 0;
  int idle = -1;  // a slot with no worker (parked, or waiting out a backoff)
  int busy = -1;  // the highest slot with a worker
  for (const SlotMachine& s : slots_) {
    if (s.retired()) continue;
    if (s.current() != 0 || s.incoming() != 0) {
      ++serving;
      busy = s.index();
    } else {
      idle = s.index();
    }
  }
  // Give up an empty slot first; never drain the last worker that serves.
  const int victim = idle >= 0 ? idle : busy;
  if (victim < 0 || (victim == busy && serving <= 1)) {
    Report(F::kReportNotBelowOne, out);
    return out;
  }
  Report(F::kReportScaleDown, out, victim);
  Feed(victim, I::kScaleDown, out);
  return out;
}

FleetStep Fleet::Shutdown() {
  FleetStep out;
  if (stopping_) return out;
  stopping_ = true;
  if (rollout_ == RolloutPhase::kStaggering) {
    rollout_ = RolloutPhase::kIdle;
    out.actions.push_back({.kind = F::kCancelStagger});
  }
  for (int i = 0; i < size(); ++i) Feed(i, I::kShutdown, out);
  return out;
}

bool Fleet::rollout_active() const {
  return rollout_ != RolloutPhase::kIdle || !pending_.empty() || queued_.has_value();
}

uint64_t Fleet::refused() const {
  uint64_t n = refused_;
  for (const SlotMachine& s : slots_) n += s.refused();
  return n;
}

int Fleet::AddSlot() {
  const int index = size();
  slots_.emplace_back(index, options_, seed_ * 7919 + static_cast<uint64_t>(index));
  return index;
}

void Fleet::Feed(int slot, SlotInput input, FleetStep& out, const WorkerExit* exit, int pid) {
  SlotStep step = slots_[static_cast<size_t>(slot)].Apply(input, exit, pid);
  out.legal = out.legal && step.legal;
  out.plan = step.plan;
  for (SlotAction& a : step.actions) {
    const SlotActionKind kind = a.kind;
    out.actions.push_back({.kind = F::kSlot, .slot = slot, .slot_action = std::move(a)});
    OnSlotAction(slot, kind, out);
  }
}

// What a slot's action means for the rollout and the fleet, right after it.
void Fleet::OnSlotAction(int slot, SlotActionKind kind, FleetStep& out) {
  switch (kind) {
    case SlotActionKind::kRolloutSlotDone: {
      const int completed_before = completed_;
      SlotReplaced(slot);
      if (completed_ > completed_before) Report(F::kReportRolloutComplete, out);
      return ArmStaggerIfActive(out);
    }
    case SlotActionKind::kRolloutSlotSkipped:
      SlotReplaced(slot);
      if (!stopping_) ArmStaggerIfActive(out);
      return;
    case SlotActionKind::kRolloutSlotFailed:
    case SlotActionKind::kRolloutSpawnFailed:
      return SlotFailed(slot);
    case SlotActionKind::kSlotParked: return CheckAllParked(out);
    case SlotActionKind::kSpawnCurrent:
    case SlotActionKind::kSpawnIncoming:
    case SlotActionKind::kDrain:
    case SlotActionKind::kArmRespawn:
    case SlotActionKind::kCancelRespawn:
    case SlotActionKind::kReportExited:
    case SlotActionKind::kReportRestart:
    case SlotActionKind::kReportBackoff:
    case SlotActionKind::kReportParked:
      return;  // the primary's alone
  }
}

void Fleet::StepRollout(FleetStep& out) {
  while (const std::optional<int> next = NextSlot()) {
    if (!slots_[static_cast<size_t>(*next)].retired()) return Feed(*next, I::kRolloutSpawn, out);
    SlotReplaced(*next);  // scaled away since the request: nothing to replace
  }
}

std::optional<int> Fleet::NextSlot() {
  if (rollout_ != RolloutPhase::kIdle) return std::nullopt;
  if (pending_.empty() && queued_) {
    pending_.assign(queued_->begin(), queued_->end());
    queued_.reset();
  }
  if (pending_.empty()) return std::nullopt;
  in_progress_ = pending_.front();
  pending_.pop_front();
  rollout_ = RolloutPhase::kReplacing;
  return in_progress_;
}

bool Fleet::SlotReplaced(int slot) {
  if (rollout_ != RolloutPhase::kReplacing || in_progress_ != slot) return false;
  rollout_ = RolloutPhase::kIdle;
  if (pending_.empty()) ++completed_;
  return true;
}

void Fleet::SlotFailed(int slot) {
  if (rollout_ != RolloutPhase::kReplacing || in_progress_ != slot) return;
  rollout_ = RolloutPhase::kIdle;
  pending_.clear();
  queued_.reset();
}

void Fleet::ArmStaggerIfActive(FleetStep& out) {
  if (rollout_ != RolloutPhase::kIdle || !rollout_active()) return;
  rollout_ = RolloutPhase::kStaggering;
  out.actions.push_back({.kind = F::kArmStagger});
}

void Fleet::CheckAllParked(FleetStep& out) {
  int parked = 0;
  for (const SlotMachine& s : slots_) {
    if (s.retired()) continue;
    if (s.state() != SlotState::kParked) return;
    ++parked;
  }
  out.actions.push_back({.kind = F::kAllSlotsParked, .count = parked});
}

void Fleet::Report(FleetActionKind kind, FleetStep& out, int slot, std::string_view why) {
  out.actions.push_back({.kind = kind, .slot = slot, .why = std::string(why)});
}

std::string_view FleetActionName(FleetActionKind kind) noexcept {
  switch (kind) {
    case F::kSlot: return "slot";
    case F::kArmStagger: return "arm_stagger";
    case F::kCancelStagger: return "cancel_stagger";
    case F::kReportRolloutStarted: return "report_rollout_started";
    case F::kReportRolloutCoalesced: return "report_rollout_coalesced";
    case F::kReportRolloutComplete: return "report_rollout_complete";
    case F::kReportScaleUp: return "report_scale_up";
    case F::kReportScaleDown: return "report_scale_down";
    case F::kReportNotBelowOne: return "report_not_below_one";
    case F::kAllSlotsParked: return "all_slots_parked";
  }
  return "?";
}

}  // namespace ringleader
