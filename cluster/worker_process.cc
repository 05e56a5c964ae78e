// WorkerProcess: pidfd exit watch, channel messages and timers turned into lifecycle events.
#include "cluster/worker_process.h"

#include <poll.h>

#include <cerrno>

#include "cluster/log_lines.h"
#include "core/absl_bridge.h"
#include "fsm/cause.h"
#include "ipc/bus_protocol.h"

namespace ringleader {

WorkerProcess::WorkerProcess(Ring& ring, int slot, uint32_t generation, Child child,
                             UniqueFd channel_fd, ChannelLimits limits, WorkerHooks& hooks)
    : ring_(ring),
      slot_(slot),
      generation_(generation),
      child_(std::move(child)),
      hooks_(hooks),
      channel_(ring, std::move(channel_fd), limits,
               {.on_message = [this](std::string_view payload) { OnMessage(payload); },
                .on_closed = [this](const absl::Status& why) { OnChannelClosed(why); }}),
      exit_op_([this](int res, uint32_t) noexcept { OnExitReadable(res); }),
      ready_timer_([this](int res, uint32_t) noexcept {
        OnTimer(res, ready_armed_, WorkerEvent::kReadyTimeout);
      }),
      drain_timer_([this](int res, uint32_t) noexcept {
        OnTimer(res, drain_armed_, WorkerEvent::kDrainTimeout);
      }),
      ready_delay_timer_([this](int res, uint32_t) noexcept {
        OnTimer(res, ready_delay_armed_, WorkerEvent::kListeningMessage);
      }) {}

void WorkerProcess::OnChannelClosed(const absl::Status& why) noexcept {
  const bool released = releasing();
  phase_ = released ? Phase::kReleasingClosed : Phase::kChannelClosed;
  // The worker closing its end (EOF) or our Release() after it exited: all sent was read. Any
  // other end (corrupt framing, a send error) dropped what was queued, hand-offs included.
  channel_broke_ = !absl::IsUnavailable(why) && !absl::IsCancelled(why);
  // Corrupt framing: the stream is unusable, so the worker is replaced.
  if (absl::IsDataLoss(why) && !released) {
    LogChannelCorrupt(pid(), slot_, Std(why.message()));
    hooks_.on_event(*this, WorkerEvent::kDrainRequested,
                    FormatDrainCause({.kind = DrainKind::kChannelCorrupt}));
  }
  MaybeReleased();
}

void WorkerProcess::Start() noexcept {
  exit_op_.Arm(ring_, child_.pidfd.get(), POLLIN);
  channel_.Start();
}

void WorkerProcess::ArmTimer(TimeoutOp& timer, bool& armed, absl::Duration after) noexcept {
  // The lifecycle arms each timer at most once per worker, so it is never still in flight here.
  armed = true;
  if (!timer.in_flight()) timer.Arm(ring_, after);
}

void WorkerProcess::DisarmTimer(TimeoutOp& timer, bool& armed) noexcept {
  armed = false;
  ring_.Cancel(timer);
}

void WorkerProcess::OnTimer(int res, bool& armed, WorkerEvent event) noexcept {
  if (res == -ETIME && armed && !releasing()) {
    armed = false;
    hooks_.on_event(*this, event, "");
  }
  MaybeReleased();
}

void WorkerProcess::Signal(int signal_number) noexcept {
  if (releasing()) return;
  // -ESRCH: it already exited and its exit is on its way through the pidfd; anything else is
  // worth a line (the drain or kill it was for will not happen).
  if (const int res = SignalProcess(child_.pidfd.get(), signal_number); res < 0 && res != -ESRCH) {
    LogSignalFailed(pid(), signal_number, res);
  }
}

void WorkerProcess::OnExitReadable(int res) noexcept {
  if (res < 0 && res != -EINTR) {
    // Polling a pidfd does not fail in practice; if it does, fall back to reaping now.
    LogPidfdPollFailed(pid(), res);
  }
  auto status = Reap(child_.pidfd.get());
  if (!status.ok()) {
    if (absl::IsNotFound(status.status())) return exit_op_.Arm(ring_, child_.pidfd.get(), POLLIN);
    exit_status_ = ExitStatus{.signaled = true, .signal = 0};
  } else {
    exit_status_ = *status;
  }
  hooks_.on_event(*this, WorkerEvent::kExited, exit_status_.Describe());
}

void WorkerProcess::LogSparingly(uint64_t& counter, std::string_view what) noexcept {
  Log(counter, what, "");
}

void WorkerProcess::CountBad(uint64_t& counter, std::string_view what) noexcept {
  Log(counter, what, "dropped, ");
}

void WorkerProcess::Log(uint64_t& counter, std::string_view what, const char* note) noexcept {
  if (!IsPowerOfTen(++counter)) return;
  LogWorkerBusCount(pid(), slot_, what, note, counter);
}

void WorkerProcess::OnMessage(std::string_view payload) noexcept {
  auto envelope = reader_.Read(payload);
  if (!envelope.ok()) return CountBad(counters_.bad_json, Std(envelope.status().message()));
  if (envelope->to == Destination::kPrimary && OnLifecycleMessage(envelope->type)) return;
  hooks_.on_message(*this, *envelope, payload);
}

bool WorkerProcess::OnLifecycleMessage(std::string_view type) noexcept {
  const std::optional<BuiltinType> builtin = ParseBuiltinType(type);
  if (!builtin) return false;
  switch (*builtin) {
    case BuiltinType::kHeartbeat:
      last_heartbeat_ = MonotonicNow();
      return true;
    case BuiltinType::kOnline:
      last_heartbeat_ = MonotonicNow();
      hooks_.on_event(*this, WorkerEvent::kOnlineMessage, "");
      return true;
    case BuiltinType::kListening:
      hooks_.on_event(*this, WorkerEvent::kListeningMessage, "");
      return true;
    case BuiltinType::kMetric:
    case BuiltinType::kClusterMetrics:
    case BuiltinType::kConfigUpdate:
    case BuiltinType::kConnection:
    case BuiltinType::kTaken:
    case BuiltinType::kHandOffStop:
    case BuiltinType::kHandOffEnd:
      return false;  // bus traffic and hand-offs: the primary's handlers take them
  }
  return false;
}

bool WorkerProcess::HandOff(UniqueFd&& connection) noexcept {
  if (!channel_open()) return false;
  const bool was_corked = channel_.corked();
  channel_.Cork();
  if (channel_.SendWithFd(kConnectionFrame, std::move(connection), Lane::kControl)) return true;
  if (!was_corked) channel_.Uncork();  // nobody will send this turn's hand-offs for it
  return false;
}

void WorkerProcess::AttachNotify(std::unique_ptr<NotifySocket> socket) noexcept {
  notify_ = std::move(socket);
  notify_->Start();
}

void WorkerProcess::Release() noexcept {
  if (releasing()) return;
  phase_ = phase_ == Phase::kChannelClosed ? Phase::kReleasingClosed : Phase::kReleasing;
  DisarmReadyTimer();
  DisarmDrainTimer();
  DisarmTimer(ready_delay_timer_, ready_delay_armed_);
  if (notify_ != nullptr) notify_->Stop();
  channel_.Close();
  MaybeReleased();
}

void WorkerProcess::MaybeReleased() noexcept {
  if (phase_ != Phase::kReleasingClosed || exit_op_.in_flight() || ready_timer_.in_flight() ||
      drain_timer_.in_flight() || ready_delay_timer_.in_flight() ||
      (notify_ != nullptr && notify_->in_flight())) {
    return;
  }
  phase_ = Phase::kReleased;
  hooks_.on_released(*this);
}

}  // namespace ringleader
