// RolloutPlan: the order of a zero-downtime rolling restart, as pure policy. The primary asks
// it which slot to replace next and tells it how each replacement went.
//
//   RolloutPlan plan;
//   if (plan.Request({0, 1, 2})) Replace(*plan.NextSlot());   // SIGUSR2
//   ... new worker of slot 0 listening, old one draining:
//   plan.SlotReplaced(0);  after the stagger: if (auto s = plan.NextSlot()) Replace(*s);
//   ... or a new worker died / missed its ready timeout:
//   plan.SlotFailed(1);    // the rollout stops; the old workers stay in service
//
// A request while a rollout runs is coalesced: exactly one more full rollout follows, however
// many requests arrived. A failed rollout drops the coalesced one too (the deploy is broken).
#pragma once

#include <deque>
#include <optional>
#include <vector>

namespace ringleader {

class RolloutPlan {
 public:
  // Starts a rollout over `slots`, or coalesces into the running one. True when it started.
  bool Request(std::vector<int> slots);
  // The next slot to replace, or nullopt when one is in progress or nothing is left. When a
  // rollout's last slot is done and another was requested, the next rollout begins here, over
  // `slots` as given to that Request.
  std::optional<int> NextSlot();
  // The slot's new worker listens and its old one drains: the next slot may go.
  void SlotReplaced(int slot);
  // The slot's new worker failed: stop here, forget the rest and any coalesced request.
  void SlotFailed(int slot);

  bool active() const { return in_progress_.has_value() || !pending_.empty() || queued_; }
  int completed_rollouts() const { return completed_; }

 private:
  std::deque<int> pending_;
  std::optional<int> in_progress_;
  bool queued_ = false;  // a coalesced request waits for the current rollout
  std::vector<int> queued_slots_;
  int completed_ = 0;
};

}  // namespace ringleader
