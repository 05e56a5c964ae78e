// Which workers exist: replacement after a crash (with crash-loop control), rolling restart
// slot by slot, and scaling. Part of Primary; the lifecycle itself is in primary.cc.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/ringleader/primary.h"

namespace ringleader {

std::string Primary::PlanAfterExit(WorkerProcess& worker) noexcept {
  Slot& slot = SlotOf(worker);
  if (&worker == slot.incoming) return "; rolling restart stopped, old worker stays";
  if (&worker != slot.current || stopping_) return "";
  if (slot.retired) return "; slot scaled down";
  if (slot.incoming != nullptr) return "; its replacement is already starting";
  const ExitStatus& st = worker.exit_status();
  const bool fatal = !st.signaled && st.code == kExitFatal;
  const absl::Time now = absl::Now();
  slot.planned = slot.policy.OnExit(now - worker.started(), now, fatal);
  if (slot.planned.park) {
    return fatal ? "; slot parked (fatal exit code)" : "; slot parked (crash loop)";
  }
  if (slot.planned.delay > absl::ZeroDuration()) {
    return absl::StrCat("; restart in ", absl::ToInt64Milliseconds(slot.planned.delay), " ms");
  }
  return "; restart now";
}

void Primary::OnWorkerGone(WorkerProcess& worker) noexcept {
  Slot& slot = SlotOf(worker);
  const std::string status = worker.exit_status().Describe();
  if (&worker == slot.incoming) {
    slot.incoming = nullptr;
    rollout_.SlotFailed(slot.index);
    std::fprintf(stderr,
                 "Rolling restart stopped: new worker %d for slot %d died (%s) before listening; "
                 "the old workers stay in service\n",
                 worker.pid(), slot.index, status.c_str());
    return;
  }
  if (&worker != slot.current) {
    std::fprintf(stderr, "Worker %d exited (%s)\n", worker.pid(), status.c_str());
    return;
  }
  slot.current = nullptr;
  if (stopping_ || slot.retired || slot.incoming != nullptr) {
    std::fprintf(stderr, "Worker %d exited (%s)\n", worker.pid(), status.c_str());
    return;
  }
  if (slot.planned.park) {
    slot.parked = true;
    std::fprintf(stderr, "Worker %d died (%s). Slot %d parked (%s); not restarting.\n",
                 worker.pid(), status.c_str(), slot.index,
                 worker.exit_status().signaled ? "crash loop" : "fatal exit or crash loop");
    return;
  }
  if (slot.planned.delay > absl::ZeroDuration()) {
    std::fprintf(stderr, "Worker %d died (%s). Restarting in %lld ms...\n", worker.pid(),
                 status.c_str(), static_cast<long long>(absl::ToInt64Milliseconds(slot.planned.delay)));
    slot.respawn_timer.Arm(*ring_, slot.planned.delay);
    return;
  }
  std::fprintf(stderr, "Worker %d died (%s). Restarting...\n", worker.pid(), status.c_str());
  slot.current = Spawn(slot, absl::StrCat("replace pid ", worker.pid(), " (", status, ")"));
  if (slot.current == nullptr) slot.respawn_timer.Arm(*ring_, absl::Seconds(1));
}

void Primary::OnWorkerListening(WorkerProcess& worker) noexcept {
  Slot& slot = SlotOf(worker);
  if (&worker != slot.incoming) return;
  WorkerProcess* old = slot.current;
  slot.current = &worker;
  slot.incoming = nullptr;
  slot.parked = false;
  if (old != nullptr) {
    Deliver(*old, WorkerEvent::kDrainRequested,
            absl::StrCat("rolling restart: replaced by pid ", worker.pid()));
  }
  const int completed_before = rollout_.completed_rollouts();
  rollout_.SlotReplaced(slot.index);
  if (rollout_.completed_rollouts() > completed_before) {
    std::fprintf(stderr, "Rolling restart complete\n");
  }
  if (rollout_.active()) stagger_op_->Arm(*ring_, options_.rollout_stagger);
}

void Primary::RequestRollout(std::string_view why) noexcept {
  if (stopping_) return;
  std::vector<int> slots;
  for (const auto& s : slots_) {
    if (!s->retired) slots.push_back(s->index);
  }
  const std::string reason(why);
  if (!rollout_.Request(std::move(slots))) {
    std::fprintf(stderr, "Rolling restart (%s) requested while one runs: one more will follow\n",
                 reason.c_str());
    return;
  }
  std::fprintf(stderr, "Rolling restart (%s): replacing workers one slot at a time\n",
               reason.c_str());
  StepRollout();
}

void Primary::StepRollout() noexcept {
  if (stagger_op_->in_flight()) return;
  const std::optional<int> next = rollout_.NextSlot();
  if (!next) return;
  Slot& slot = *slots_[static_cast<size_t>(*next)];
  if (slot.retired) {
    rollout_.SlotReplaced(slot.index);
    return StepRollout();
  }
  // The old worker keeps serving until this one reports listening (OnWorkerListening).
  slot.incoming = Spawn(slot, "rolling restart");
  if (slot.incoming == nullptr) {
    rollout_.SlotFailed(slot.index);
    std::fprintf(stderr, "Rolling restart stopped: cannot start a worker for slot %d\n",
                 slot.index);
  }
}

void Primary::ScaleUp() noexcept {
  if (stopping_) return;
  Slot* slot = nullptr;
  for (auto& s : slots_) {
    if (s->retired && s->current == nullptr && s->incoming == nullptr &&
        !s->respawn_timer.in_flight()) {
      slot = s.get();
    }
  }
  if (slot == nullptr) {
    slots_.push_back(std::make_unique<Slot>(static_cast<int>(slots_.size()), options_.restart,
                                            *this));
    slot = slots_.back().get();
  }
  slot->retired = false;
  slot->parked = false;
  slot->policy.Reset();
  std::fprintf(stderr, "Primary %d: scaling up (slot %d)\n", ::getpid(), slot->index);
  slot->current = Spawn(*slot, "scale up");
  if (slot->current == nullptr) slot->respawn_timer.Arm(*ring_, absl::Seconds(1));
}

void Primary::ScaleDown() noexcept {
  if (stopping_) return;
  int active = 0;
  Slot* victim = nullptr;
  for (auto& s : slots_) {
    if (s->retired) continue;
    ++active;
    victim = s.get();
  }
  if (active <= 1 || victim == nullptr) {
    std::fprintf(stderr, "ringleader: not scaling below one worker\n");
    return;
  }
  victim->retired = true;
  ring_->Cancel(victim->respawn_timer);
  std::fprintf(stderr, "Primary %d: scaling down (slot %d)\n", ::getpid(), victim->index);
  for (WorkerProcess* w : {victim->current, victim->incoming}) {
    if (w != nullptr) Deliver(*w, WorkerEvent::kDrainRequested, "scale down");
  }
}

}  // namespace ringleader
