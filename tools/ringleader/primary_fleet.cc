// Which workers exist: the primary carries out what fsm/fleet.h decides — spawn, drain, arm and
// cancel the respawn and stagger timers, and the log lines that say so. No policy here: restart
// after a crash, rolling restart and scaling are all decided by the fleet's slot machines.
// Part of Primary; the loop and the lifecycle are in primary.cc.
#include <cstdio>

#include "core/clock.h"
#include "fsm/worker_exit.h"
#include "tools/ringleader/primary.h"

namespace ringleader {
WorkerExit Primary::ExitOf(const WorkerProcess& worker) noexcept {
  const ExitStatus& st = worker.exit_status();
  const absl::Time now = MonotonicNow();
  return WorkerExit{.generation = worker.generation(),
                    .pid = worker.pid(),
                    .status = st.Describe(),
                    .fatal = !st.signaled && st.code == kExitFatal,
                    .ever_listened = LifeOf(worker).ever_listened,
                    .uptime = now - worker.started(),
                    .now = now};
}

WorkerProcess* Primary::FindWorker(int slot, uint32_t generation) const noexcept {
  if (generation == 0) return nullptr;
  for (const auto& w : workers_) {
    if (w->slot() == slot && w->generation() == generation) return w.get();
  }
  return nullptr;
}

WorkerProcess* Primary::CurrentWorker(int slot) const noexcept {
  if (slot < 0 || slot >= fleet_.size()) return nullptr;
  return FindWorker(slot, fleet_.slot(slot).current());
}

WorkerProcess* Primary::IncomingWorker(int slot) const noexcept {
  if (slot < 0 || slot >= fleet_.size()) return nullptr;
  return FindWorker(slot, fleet_.slot(slot).incoming());
}

void Primary::CarryFleet(const FleetStep& step) noexcept {
  // The primary sends only what happened to workers the fleet tracks: a refusal is our bug.
  if (!step.legal) {
    std::fprintf(stderr, "ringleader: the fleet refused an input (%llu so far)\n",
                 static_cast<unsigned long long>(fleet_.refused()));
  }
  // The fleet may have grown (scale up): each slot has its own respawn timer.
  while (static_cast<int>(slots_.size()) < fleet_.size()) {
    slots_.push_back(std::make_unique<Slot>(static_cast<int>(slots_.size()), *this));
  }
  for (const FleetAction& a : step.actions) CarryFleetAction(a);
}

void Primary::CarryFleetAction(const FleetAction& a) noexcept {
  switch (a.kind) {
    case FleetActionKind::kSlot: return CarrySlot(*slots_[static_cast<size_t>(a.slot)], a.slot_action);
    case FleetActionKind::kArmStagger: return stagger_op_->Arm(*ring_, options_.rollout_stagger);
    case FleetActionKind::kCancelStagger: return ring_->Cancel(*stagger_op_);
    case FleetActionKind::kReportRolloutStarted:
      std::fprintf(stderr, "Rolling restart (%s): replacing workers one slot at a time\n",
                   a.why.c_str());
      return;
    case FleetActionKind::kReportRolloutCoalesced:
      std::fprintf(stderr, "Rolling restart (%s) requested while one runs: one more will follow\n",
                   a.why.c_str());
      return;
    case FleetActionKind::kReportRolloutComplete:
      std::fprintf(stderr, "Rolling restart complete\n");
      return;
    case FleetActionKind::kReportScaleUp:
      std::fprintf(stderr, "Primary %d: scaling up (slot %d)\n", ::getpid(), a.slot);
      return;
    case FleetActionKind::kReportScaleDown:
      std::fprintf(stderr, "Primary %d: scaling down (slot %d)\n", ::getpid(), a.slot);
      return;
    case FleetActionKind::kReportNotBelowOne:
      std::fprintf(stderr, "ringleader: not scaling below one worker\n");
      return;
    case FleetActionKind::kAllSlotsParked:
      std::fprintf(stderr,
                   "ringleader: all %d worker slots are parked: no worker can serve, exiting "
                   "(status %d) rather than accept connections\n",
                   a.count, kExitAllSlotsParked);
      failure_exit_ = kExitAllSlotsParked;
      return BeginShutdown("all worker slots parked");
  }
}

void Primary::CarrySlot(Slot& slot, const SlotAction& a) noexcept {
  switch (a.kind) {
    case SlotActionKind::kSpawnCurrent:
    case SlotActionKind::kSpawnIncoming:
      // fork or socketpair failed (EAGAIN, EMFILE): the fleet decides what follows.
      if (Spawn(slot.index, a.generation, FormatBirthCause(a.birth)) == nullptr) {
        CarryFleet(fleet_.SpawnFailed(slot.index, a.generation));
      }
      return;
    case SlotActionKind::kDrain:
      if (WorkerProcess* w = FindWorker(slot.index, a.generation)) {
        Deliver(*w, WorkerEvent::kDrainRequested, FormatDrainCause(a.drain));
      }
      return;
    case SlotActionKind::kArmRespawn: return ScheduleRespawn(slot, a.delay);
    case SlotActionKind::kCancelRespawn:
      slot.respawn_rearm.reset();
      return ring_->Cancel(slot.respawn_timer);
    case SlotActionKind::kReportExited:
      std::fprintf(stderr, "Worker %d exited (%s)\n", a.pid, a.status.c_str());
      return;
    case SlotActionKind::kReportRestart:
      // A worker that drained and exited 0 (e.g. replaced for a broken channel) did not die.
      std::fprintf(stderr, "Worker %d %s (%s). Restarting...\n", a.pid,
                   a.status == "code 0" ? "exited" : "died", a.status.c_str());
      return;
    case SlotActionKind::kReportBackoff:
      std::fprintf(stderr, "Worker %d died (%s). Restarting in %lld ms...\n", a.pid,
                   a.status.c_str(), static_cast<long long>(absl::ToInt64Milliseconds(a.delay)));
      return;
    case SlotActionKind::kReportParked:
      std::fprintf(stderr, "Worker %d died (%s). Slot %d parked; not restarting.\n", a.pid,
                   a.status.c_str(), slot.index);
      return;
    case SlotActionKind::kRolloutSlotFailed:
      std::fprintf(stderr,
                   "Rolling restart stopped: new worker %d for slot %d died (%s) before "
                   "listening; the old workers stay in service\n",
                   a.pid, slot.index, a.status.c_str());
      return;
    case SlotActionKind::kRolloutSpawnFailed:
      std::fprintf(stderr,
                   "Rolling restart stopped: cannot start a worker for slot %d; the old workers "
                   "stay in service\n",
                   slot.index);
      return;
    case SlotActionKind::kRolloutSlotDone:
    case SlotActionKind::kRolloutSlotSkipped:
    case SlotActionKind::kSlotParked:
      return;  // the fleet's own bookkeeping, already done
  }
}

void Primary::ScheduleRespawn(Slot& slot, absl::Duration delay) noexcept {
  if (slot.respawn_timer.in_flight()) {
    // The kernel still holds the cancelled wait: re-arm from its completion with this delay.
    slot.respawn_rearm = delay;
    ring_->Cancel(slot.respawn_timer);
    return;
  }
  slot.respawn_timer.Arm(*ring_, delay);
}

void Primary::OnRespawnTimer(Slot& slot, int res) noexcept {
  if (res == -ECANCELED && slot.respawn_rearm && !stopping()) {
    const absl::Duration delay = *slot.respawn_rearm;
    slot.respawn_rearm.reset();
    return slot.respawn_timer.Arm(*ring_, delay);
  }
  slot.respawn_rearm.reset();
  if (res == -ETIME) CarryFleet(fleet_.RespawnTimerFired(slot.index));
  MaybeFinish();
}

}  // namespace ringleader
