// The watchdog: which workers owe heartbeats, and the verdict on one that went silent. Part of
// Primary; WorkerProcess only records when a heartbeat arrived (the primary owns the decision).
#include "absl/strings/str_cat.h"
#include "cluster/log_lines.h"
#include "cluster/primary.h"
#include "core/clock.h"

namespace ringleader {
namespace {

// Watchdog checks run this often; a hang is detected within timeout + one tick.
constexpr absl::Duration kWatchdogTick = absl::Milliseconds(250);

// A tick later than this did not run on time because the primary itself did not (SIGSTOP,
// `docker pause`, starvation): the heartbeats of that gap may still be unread in the ring. Half
// the timeout keeps a healthy worker's apparent silence (lateness + one heartbeat interval,
// timeout / 5) below the timeout.
absl::Duration WatchdogLateness(absl::Duration timeout) { return timeout / 2; }

}  // namespace

bool Primary::HeartbeatsExpected(const WorkerProcess& worker) noexcept {
  // A closed channel (corrupt framing) carries no heartbeats; the drain timeout bounds it. A
  // program under `ringleader exec` beats over sd_notify instead (WATCHDOG=1).
  const WorkerLife& life = LifeOf(worker);
  return life.watch == WorkerLife::Watch::kWatching && life.state != WorkerState::kDead &&
         (worker.channel_open() || exec_mode());
}

void Primary::ArmWatchdog(absl::Time now) noexcept {
  watchdog_due_ = now + kWatchdogTick;
  watchdog_op_->Arm(*ring_, kWatchdogTick);
}

void Primary::OnWatchdogTick(int res) noexcept {
  if (res != -ETIME || stopping()) return MaybeFinish();
  const absl::Time now = MonotonicNow();
  const absl::Duration late = now - watchdog_due_;
  ArmWatchdog(now);
  if (late > WatchdogLateness(options_.watchdog_timeout)) {
    // Our own stall is no evidence against the workers. Judge nobody now: the completions
    // queued meanwhile (their heartbeats) run before the next tick, which counts from here.
    LogWatchdogLate(::getpid(), late);
    for (auto& w : workers_) w->RestartHeartbeatClock(now);
    return;
  }
  for (auto& w : workers_) {
    if (!HeartbeatsExpected(*w)) continue;
    const absl::Duration silent = now - w->last_heartbeat();
    if (silent > options_.watchdog_timeout) {
      LifeOf(*w).watch = WorkerLife::Watch::kFired;
      LogWorkerHung(w->pid(), silent);
      Deliver(*w, WorkerEvent::kWatchdogTimeout,
              absl::StrCat("no heartbeat for ", absl::ToInt64Milliseconds(silent), " ms"));
    }
  }
}

}  // namespace ringleader
