// RolloutPlan: slot order, coalescing and abort of rolling restarts.
#include "fsm/rollout.h"

namespace ringleader {

bool RolloutPlan::Request(std::vector<int> slots) {
  if (active()) {
    queued_ = true;
    queued_slots_ = std::move(slots);
    return false;
  }
  pending_.assign(slots.begin(), slots.end());
  return true;
}

std::optional<int> RolloutPlan::NextSlot() {
  if (in_progress_) return std::nullopt;
  if (pending_.empty() && queued_) {
    queued_ = false;
    pending_.assign(queued_slots_.begin(), queued_slots_.end());
  }
  if (pending_.empty()) return std::nullopt;
  in_progress_ = pending_.front();
  pending_.pop_front();
  return in_progress_;
}

void RolloutPlan::SlotReplaced(int slot) {
  if (in_progress_ != slot) return;
  in_progress_.reset();
  if (pending_.empty()) ++completed_;
}

void RolloutPlan::SlotFailed(int slot) {
  if (in_progress_ != slot) return;
  in_progress_.reset();
  pending_.clear();
  queued_ = false;
  queued_slots_.clear();
}

}  // namespace ringleader
