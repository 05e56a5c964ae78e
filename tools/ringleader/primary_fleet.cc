// Which workers exist: replacement after a crash (with crash-loop control), rolling restart
// slot by slot, and scaling. Part of Primary; the lifecycle itself is in primary.cc.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "core/clock.h"
#include "tools/ringleader/primary.h"

namespace ringleader {

std::string Primary::PlanAfterExit(WorkerProcess& worker) noexcept {
  Slot& slot = SlotOf(worker);
  const bool incoming = &worker == slot.incoming;
  if ((!incoming && &worker != slot.current) || stopping_) return "";  // an old generation
  if (slot.retired) return "; slot scaled down";
  if (!incoming && slot.incoming != nullptr) return "; its replacement is already starting";
  const std::string prefix = incoming ? "; rolling restart stopped" : "";
  if (incoming && slot.current != nullptr) return prefix + ", old worker stays";
  // The slot has no other worker: the crash-loop policy decides what follows.
  const ExitStatus& st = worker.exit_status();
  const Death death = !st.signaled && st.code == kExitFatal ? Death::kFatal
                      : worker.reached_listening()          ? Death::kAfterListening
                                                            : Death::kBeforeListening;
  const absl::Time now = MonotonicNow();
  slot.planned = slot.policy.OnExit(now - worker.started(), now, death);
  if (slot.planned.park) {
    return prefix + (death == Death::kFatal ? "; slot parked (fatal exit code)"
                                            : "; slot parked (crash loop)");
  }
  if (slot.planned.delay > absl::ZeroDuration()) {
    return absl::StrCat(prefix, "; restart in ", absl::ToInt64Milliseconds(slot.planned.delay),
                        " ms");
  }
  return prefix + "; restart now";
}

void Primary::OnWorkerGone(WorkerProcess& worker) noexcept {
  Slot& slot = SlotOf(worker);
  const std::string status = worker.exit_status().Describe();
  if (&worker == slot.incoming) {
    slot.incoming = nullptr;
    if (slot.retired) {
      // Scaled away mid-rollout: skip the slot, the rollout goes on.
      rollout_.SlotReplaced(slot.index);
      if (rollout_.active() && !stopping_) stagger_op_->Arm(*ring_, options_.rollout_stagger);
    } else {
      rollout_.SlotFailed(slot.index);
      std::fprintf(stderr,
                   "Rolling restart stopped: new worker %d for slot %d died (%s) before "
                   "listening; the old workers stay in service\n",
                   worker.pid(), slot.index, status.c_str());
    }
    if (slot.current != nullptr || stopping_ || slot.retired) return;
    // No old worker to fall back on (it had crashed): the slot must not stay empty.
    return RestartSlot(slot, worker.pid(), status);
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
  RestartSlot(slot, worker.pid(), status);
}

void Primary::RestartSlot(Slot& slot, int dead_pid, const std::string& status) noexcept {
  if (slot.planned.park) {
    slot.parked = true;
    std::fprintf(stderr, "Worker %d died (%s). Slot %d parked; not restarting.\n", dead_pid,
                 status.c_str(), slot.index);
    return StopIfNoSlotCanServe();
  }
  if (slot.planned.delay > absl::ZeroDuration()) {
    std::fprintf(stderr, "Worker %d died (%s). Restarting in %lld ms...\n", dead_pid,
                 status.c_str(), static_cast<long long>(absl::ToInt64Milliseconds(slot.planned.delay)));
    return ScheduleRespawn(slot, slot.planned.delay);
  }
  // A worker that drained and exited 0 (e.g. replaced for a broken channel) did not die.
  std::fprintf(stderr, "Worker %d %s (%s). Restarting...\n", dead_pid,
               status == "code 0" ? "exited" : "died", status.c_str());
  SpawnCurrent(slot, absl::StrCat("replace pid ", dead_pid, " (", status, ")"));
}

void Primary::StopIfNoSlotCanServe() noexcept {
  int parked = 0;
  for (const auto& s : slots_) {
    if (s->retired) continue;
    if (!s->parked || s->current != nullptr || s->incoming != nullptr) return;
    ++parked;
  }
  std::fprintf(stderr,
               "ringleader: all %d worker slots are parked: no worker can serve, exiting "
               "(status %d) rather than accept connections\n",
               parked, kExitAllSlotsParked);
  failure_exit_ = kExitAllSlotsParked;
  BeginShutdown("all worker slots parked");
}

void Primary::SpawnCurrent(Slot& slot, std::string_view cause) noexcept {
  slot.current = Spawn(slot, cause);
  // fork or socketpair failed (EAGAIN, EMFILE): try again shortly rather than stay empty.
  if (slot.current == nullptr) ScheduleRespawn(slot, absl::Seconds(1));
}

void Primary::ScheduleRespawn(Slot& slot, absl::Duration delay) noexcept {
  if (slot.respawn_timer.in_flight()) {
    // One timer per slot: replace the pending wait (its callback re-arms with this delay).
    slot.respawn_rearm = delay;
    ring_->Cancel(slot.respawn_timer);
    return;
  }
  slot.respawn_timer.Arm(*ring_, delay);
}

void Primary::OnRespawnTimer(Slot& slot, int res) noexcept {
  if (res == -ECANCELED && slot.respawn_rearm && !stopping_) {
    const absl::Duration delay = *slot.respawn_rearm;
    slot.respawn_rearm.reset();
    return slot.respawn_timer.Arm(*ring_, delay);
  }
  slot.respawn_rearm.reset();
  if (res == -ETIME && !stopping_ && !slot.retired && slot.current == nullptr &&
      slot.incoming == nullptr) {
    SpawnCurrent(slot, "restart after backoff");
  }
  MaybeFinish();
}

void Primary::OnWorkerListening(WorkerProcess& worker) noexcept {
  Slot& slot = SlotOf(worker);
  if (&worker != slot.incoming) return;
  WorkerProcess* old = slot.current;
  slot.current = &worker;
  slot.incoming = nullptr;
  slot.parked = false;
  slot.respawn_rearm.reset();
  ring_->Cancel(slot.respawn_timer);  // a backoff restart is no longer needed
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
    std::fprintf(stderr,
                 "Rolling restart stopped: cannot start a worker for slot %d; the old workers "
                 "stay in service\n",
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
  SpawnCurrent(*slot, "scale up");
}

void Primary::ScaleDown() noexcept {
  if (stopping_) return;
  int serving = 0;
  Slot* idle = nullptr;   // a slot with no worker (parked, or waiting out a backoff)
  Slot* busy = nullptr;   // the highest slot with a worker
  for (auto& s : slots_) {
    if (s->retired) continue;
    if (s->current != nullptr || s->incoming != nullptr) {
      ++serving;
      busy = s.get();
    } else {
      idle = s.get();
    }
  }
  // Give up an empty slot first; never drain the last worker that serves.
  Slot* victim = idle != nullptr ? idle : busy;
  if (victim == nullptr || (victim == busy && serving <= 1)) {
    std::fprintf(stderr, "ringleader: not scaling below one worker\n");
    return;
  }
  victim->retired = true;
  victim->respawn_rearm.reset();
  ring_->Cancel(victim->respawn_timer);
  std::fprintf(stderr, "Primary %d: scaling down (slot %d)\n", ::getpid(), victim->index);
  for (WorkerProcess* w : {victim->current, victim->incoming}) {
    if (w != nullptr) Deliver(*w, WorkerEvent::kDrainRequested, "scale down");
  }
}

}  // namespace ringleader
