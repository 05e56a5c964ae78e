// WorkerProcess: the primary's handle on one worker process — its pidfd watch, its channel and
// its lifecycle timers. Mechanism only: it reports what happens as lifecycle events and carries
// out the actions the primary (policy, via fsm/) asks for. The worker's lifecycle state, whether
// it ever listened and the watchdog's verdict are the primary's (Primary::WorkerLife); the
// handle's own life is one Phase.
//
//   auto w = std::make_unique<WorkerProcess>(ring, slot, gen, std::move(child), std::move(fd),
//                                            limits, hooks);
//   w->Start();               // events now flow to hooks.on_event
//   w->ArmReadyTimer(absl::Seconds(5));
//   w->Signal(SIGTERM);
//   w->Release();             // after exit: hooks.on_released once every op has completed
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/ops.h"
#include "core/process.h"
#include "fsm/lifecycle.h"
#include "ipc/channel.h"
#include "ipc/message.h"
#include "ipc/notify_socket.h"

namespace ringleader {

class WorkerProcess;

struct WorkerHooks {
  absl::AnyInvocable<void(WorkerProcess&, WorkerEvent, std::string_view cause)> on_event;
  absl::AnyInvocable<void(WorkerProcess&)> on_released;
  // Every valid bus message that is not a lifecycle message (online, listening, heartbeat).
  absl::AnyInvocable<void(WorkerProcess&, const Envelope&, std::string_view payload)> on_message;
};

// What a worker did on its channel that the primary logs; each is counted and logged sparingly
// (WorkerProcess::LogSparingly). The first four are dropped messages.
struct BusCounters {
  uint64_t bad_json = 0;      // not a JSON object with a string "type"
  uint64_t unknown_type = 0;  // for the primary, and nobody handles it
  uint64_t spoofed = 0;       // "from" is not its own slot, or a primary-only type to workers
  uint64_t undeliverable = 0;  // to a slot with no live worker, or the target's queue was full
  uint64_t refused_events = 0;  // lifecycle messages its state does not allow (a repeated online)
  uint64_t config_updates = 0;  // CONFIG_UPDATE broadcasts it asked for
};

class WorkerProcess {
 public:
  WorkerProcess(Ring& ring, int slot, uint32_t generation, Child child, UniqueFd channel_fd,
                ChannelLimits limits, WorkerHooks& hooks);
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  void Start() noexcept;
  // Queues a message for this worker; false when its queue is full (dropped) or it is gone.
  bool Send(std::string_view payload) noexcept { return !releasing() && channel_.Send(payload); }
  // Queues a protocol message on the control lane (ahead of user messages, in order with
  // hand-offs).
  bool SendControl(std::string_view payload) noexcept {
    return channel_open() && channel_.Send(payload, Lane::kControl);
  }
  // Queues one accepted connection for this worker ("conn", control lane), held back until
  // SendHandOffs so that a loop turn's connections travel together. On false (its channel is
  // closed or its control lane full) the connection stays with the caller.
  bool HandOff(UniqueFd&& connection) noexcept;
  void SendHandOffs() noexcept { channel_.Uncork(); }

  // Counts an occurrence in `counter` and logs `what` on the 1st, 10th, 100th, ... one. Every
  // log line a worker's messages can cause goes through here: stderr blocks, so a flood of
  // input must never become a flood of writes that stalls the primary.
  void LogSparingly(uint64_t& counter, std::string_view what) noexcept;
  // LogSparingly for a message that is dropped.
  void CountBad(uint64_t& counter, std::string_view what) noexcept;
  BusCounters& counters() noexcept { return counters_; }
  uint64_t oversize_frames() const noexcept { return channel_.oversize_frames(); }
  uint64_t dropped_sends() const noexcept { return channel_.dropped_sends(); }

  void ArmReadyTimer(absl::Duration after) noexcept { ArmTimer(ready_timer_, ready_armed_, after); }
  void DisarmReadyTimer() noexcept { DisarmTimer(ready_timer_, ready_armed_); }
  void ArmDrainTimer(absl::Duration after) noexcept { ArmTimer(drain_timer_, drain_armed_, after); }
  // A program that says nothing about its readiness (`ringleader exec --ready=delay:MS`): it
  // counts as listening this long after it started.
  void ArmReadyDelay(absl::Duration after) noexcept {
    ArmTimer(ready_delay_timer_, ready_delay_armed_, after);
  }
  // A heartbeat that did not come over the channel (sd_notify's WATCHDOG=1).
  void NoteHeartbeat() noexcept { last_heartbeat_ = MonotonicNow(); }
  // `ringleader exec`: the program's sd_notify socket (bound before it started), read from now
  // on and closed with this handle: its release waits for the socket's last op too.
  void AttachNotify(std::unique_ptr<NotifySocket> socket) noexcept;
  const NotifySocket* notify() const noexcept { return notify_.get(); }
  // The notify socket's last op completed (NotifyCallbacks::on_stopped).
  void OnNotifyStopped() noexcept { MaybeReleased(); }
  void DisarmDrainTimer() noexcept { DisarmTimer(drain_timer_, drain_armed_); }
  void Signal(int signal_number) noexcept;
  // The process is reaped: close the channel, stop the timers, report on_released when done.
  void Release() noexcept;

  int slot() const noexcept { return slot_; }
  uint32_t generation() const noexcept { return generation_; }
  pid_t pid() const noexcept { return child_.pid; }
  absl::Time started() const noexcept { return started_; }
  const ExitStatus& exit_status() const noexcept { return exit_status_; }
  // The channel still carries messages (heartbeats among them): not closed, not released.
  bool channel_open() const noexcept { return phase_ == Phase::kRunning; }
  // The channel ended other than by the worker closing its end: what was queued was dropped.
  bool channel_broke() const noexcept { return channel_broke_; }

  // When the channel last carried a heartbeat or "online" (monotonic); InfinitePast before.
  absl::Time last_heartbeat() const noexcept { return last_heartbeat_; }
  // Counts silence from `now` (monotonic) as if a heartbeat had just arrived: for when the
  // primary itself stalled and cannot tell silence from its own absence.
  void RestartHeartbeatClock(absl::Time now) noexcept {
    last_heartbeat_ = std::max(last_heartbeat_, now);
  }

 private:
  // The handle's own life. Closing the channel and releasing are independent until both are
  // done, so the two halfway points are phases of their own.
  enum class Phase : uint8_t {
    kRunning,          // the channel is open
    kChannelClosed,    // the peer closed it, or its framing broke; not released yet
    kReleasing,        // Release(): the channel closes, the ops complete
    kReleasingClosed,  // Release() and the channel closed: the last ops complete
    kReleased,         // on_released ran
  };
  bool releasing() const noexcept { return phase_ >= Phase::kReleasing; }
  void OnChannelClosed(const absl::Status& why) noexcept;

  void ArmTimer(TimeoutOp& timer, bool& armed, absl::Duration after) noexcept;
  void DisarmTimer(TimeoutOp& timer, bool& armed) noexcept;
  void OnExitReadable(int res) noexcept;
  void OnMessage(std::string_view payload) noexcept;
  // online, listening, heartbeat: handled here (true); anything else is bus traffic.
  bool OnLifecycleMessage(std::string_view type) noexcept;
  void OnTimer(int res, bool& armed, WorkerEvent event) noexcept;
  void Log(uint64_t& counter, std::string_view what, const char* note) noexcept;
  void MaybeReleased() noexcept;

  Ring& ring_;
  int slot_;
  uint32_t generation_;
  Child child_;
  WorkerHooks& hooks_;
  Phase phase_ = Phase::kRunning;
  absl::Time started_ = MonotonicNow();
  ExitStatus exit_status_;
  MessageReader reader_;
  BusCounters counters_;
  absl::Time last_heartbeat_ = absl::InfinitePast();
  Channel channel_;
  PollOp exit_op_;
  TimeoutOp ready_timer_;
  TimeoutOp drain_timer_;
  TimeoutOp ready_delay_timer_;
  // Per timer: a fired timer whose disarm lost the race is ignored.
  bool ready_armed_ = false;
  bool drain_armed_ = false;
  bool ready_delay_armed_ = false;
  std::unique_ptr<NotifySocket> notify_;
  bool channel_broke_ = false;
};

}  // namespace ringleader
