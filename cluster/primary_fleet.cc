// Which workers exist: the primary carries out what fsm/fleet.h decides — spawn, drain, arm and
// cancel the respawn and stagger timers, and the log lines that say so. No policy here: restart
// after a crash, rolling restart and scaling are all decided by the fleet's slot machines.
// Part of Primary; the loop and the lifecycle are in primary.cc.
#include "cluster/log_lines.h"
#include "cluster/primary.h"
#include "core/clock.h"
#include "fsm/worker_exit.h"

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
    LogError(absl::StrCat("the fleet refused an input (", fleet_.refused(), " so far)"));
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
      TellReloading();
      return LogRolloutStarted(a.why);
    case FleetActionKind::kReportRolloutCoalesced: return LogRolloutQueued(a.why);
    case FleetActionKind::kReportRolloutComplete:
      LogRolloutComplete();
      TellReloaded();
      if (scale_after_rollout_) ApplyScale(*std::exchange(scale_after_rollout_, std::nullopt));
      return;
    case FleetActionKind::kReportScaleUp: return LogScalingUp(::getpid(), a.slot);
    case FleetActionKind::kReportScaleDown: return LogScalingDown(::getpid(), a.slot);
    case FleetActionKind::kReportNotBelowOne: return LogNotScalingBelowOne();
    case FleetActionKind::kAllSlotsParked:
      LogAllSlotsParked(a.count);
      failure_exit_ = kExitAllSlotsParked;
      return BeginShutdown("all worker slots parked");
  }
}

void Primary::CarrySlot(Slot& slot, const SlotAction& a) noexcept {
  switch (a.kind) {
    case SlotActionKind::kSpawnCurrent:
    case SlotActionKind::kSpawnIncoming:
      if (a.birth.kind == BirthKind::kReplace || a.birth.kind == BirthKind::kRestartAfterBackoff) {
        ++slot.restarts;
        ++restarts_by_cause_[a.birth.kind == BirthKind::kReplace ? a.birth.status : "backoff"];
      }
      // fork or socketpair failed (EAGAIN, EMFILE): the fleet decides what follows.
      if (absl::Status s = SpawnWorker(slot.index, a.generation, FormatBirthCause(a.birth)).status();
          !s.ok()) {
        LogError(s);
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
    case SlotActionKind::kReportExited: return LogWorkerExited(a.pid, a.status);
    case SlotActionKind::kReportRestart: return LogWorkerRestarting(a.pid, a.status);
    case SlotActionKind::kReportBackoff: return LogWorkerRestartingIn(a.pid, a.status, a.delay);
    case SlotActionKind::kReportParked: return LogWorkerParked(a.pid, a.status, slot.index);
    case SlotActionKind::kRolloutSlotFailed:
      return LogRolloutNewWorkerDied(a.pid, slot.index, a.status);
    case SlotActionKind::kRolloutSpawnFailed: return LogRolloutCannotStart(slot.index);
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
