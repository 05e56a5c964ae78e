// The worker's loop: HTTP server, channel to the primary, SIGTERM drain, orphan detection.
#include "cluster/worker_runtime.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "cluster/log_lines.h"
#include "core/clock.h"
#include "core/signals.h"
#include "core/status.h"
#include "fsm/worker_exit.h"
#include "ipc/bus_protocol.h"

namespace ringleader {
namespace {
// An orphaned worker (primary gone) finishes what it can within this bound, then exits.
constexpr absl::Duration kOrphanDrainBound = absl::Seconds(1);

// Resident set size from /proc/self/statm (a page-cache read, once per metrics interval).
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}
}  // namespace

WorkerRuntime::WorkerRuntime(WorkerEnv env, const ClusterOptions& options, Router& router,
                             WorkerBus& bus, std::unique_ptr<RedisClient> redis)
    : env_(env),
      options_(options),
      router_(router),
      bus_(bus),
      listener_(env.listen_fd),
      redis_(std::move(redis)) {}

WorkerRuntime::~WorkerRuntime() = default;

absl::Status WorkerRuntime::SetUp() {
  RL_RETURN_IF_ERROR(DebugSetUpFailure());
  // Terminal signals reach the whole process group; only the primary acts on them.
  IgnoreSignals({SIGINT, SIGQUIT, SIGHUP, SIGUSR2, SIGTTIN, SIGTTOU, SIGPIPE});
  RL_ASSIGN_OR_RETURN(
      signals_, SignalReader::Open(
                    {SIGTERM}, [this](const signalfd_siginfo& info) noexcept { OnSignal(info); },
                    [this](int res) noexcept {
                      if (res < 0) LogError(ErrnoStatus(res, "reading signals"));
                      MaybeStop();
                    }));
  RL_ASSIGN_OR_RETURN(ring_, Ring::Create({.batch_wait = options_.batch_wait}));
  // One-shot accepts in every mode (HttpServerOptions::multishot_accept).
  RL_ASSIGN_OR_RETURN(server_,
                      HttpServer::Create(*ring_, listener_.get(), router_, options_.http));
  if (redis_ != nullptr) redis_->Start(*ring_);
  // Connections may be handed over until the primary says none will follow.
  if (TakesHandOffs()) server_->HoldDrain(true);
  if (options_.scheduling == Scheduling::kRoundRobin) {
    // The primary picks the least-loaded worker: it learns of every close within a loop turn.
    // (With reuseport it hands over only a parked or departed slot's share; acks suffice.)
    server_->OnConnectionCountChanged([this] { ReportLoadThisTurn(); });
  }
  channel_ = std::make_unique<Channel>(
      *ring_, UniqueFd(env_.channel_fd),
      // Workers accept descriptors from the primary (connection hand-off); the primary doesn't.
      ChannelLimits{.max_payload = kMaxFramePayload,
                    .max_queued_bytes = options_.ipc_max_queue,
                    .accept_fds = true},
      ChannelCallbacks{.on_message = [this](std::string_view payload) { OnChannelMessage(payload); },
                       .on_closed =
                           [this](const absl::Status&) {
                             channel_done_ = true;
                             server_->HoldDrain(false);  // nothing more can come
                             // The primary is gone: serve out what is in flight, then go.
                             Drain("primary channel closed");
                             MaybeStop();
                           }});
  bus_.Attach(channel_.get());
  metrics_op_ =
      std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept { OnMetricsTick(res); });
  heartbeat_op_ =
      std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept { OnHeartbeatTick(res); });
  if (options_.watchdog_timeout > absl::ZeroDuration()) {
    // Five beats per watchdog period: one late beat is never mistaken for a hang.
    heartbeat_interval_ = std::clamp(options_.watchdog_timeout / 5, absl::Milliseconds(50),
                                     absl::Seconds(1));
  }
  deadline_op_ = std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept {
    if (res == -ETIME) {
      LogWorkerDrainBound(env_.info.pid);
      drained_ = true;
      ring_->Stop();
    }
  });
  return absl::OkStatus();
}

absl::Status WorkerRuntime::DebugSetUpFailure() const {
  if (!options_.debug_endpoints) return absl::OkStatus();
  switch (options_.debug_start_failure) {
    case DebugStartFailure::kConfigError:
      return absl::InvalidArgumentError("--debug_start_failure=config");
    case DebugStartFailure::kResourceError:
      return absl::ResourceExhaustedError("--debug_start_failure=resource");
    case DebugStartFailure::kNone:
    case DebugStartFailure::kNeverListening:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

int WorkerRuntime::Run() {
  env_.info.pid = ::getpid();
  if (::getppid() != env_.primary_pid) return kExitOk;  // the primary died before we got here
  if (options_.debug_endpoints && options_.debug_fail_generation != 0 &&
      env_.info.generation >= options_.debug_fail_generation) {
    LogWorkerFailGeneration(env_.info.pid, options_.debug_fail_generation);
    return kExitWorkerFailed;
  }
  if (absl::Status s = SetUp(); !s.ok()) {
    // Exit codes are protocol: only a configuration error parks the slot (fsm/worker_exit.h).
    const int code = SetupFailureExitCode(s);
    LogWorkerCannotStart(env_.info.pid, s, code == kExitFatal);
    return code;
  }
  channel_->Start();
  // Lifecycle and heartbeats take the control lane: user traffic can never drop or delay them.
  channel_->Send(LifecycleMessage(BuiltinType::kOnline), Lane::kControl);
  signals_->Start(*ring_);
  server_->Start();
  const bool never_listening = options_.debug_endpoints && options_.debug_start_failure ==
                                                              DebugStartFailure::kNeverListening;
  if (!never_listening) {
    channel_->Send(LifecycleMessage(BuiltinType::kListening), Lane::kControl);
  }
  if (heartbeat_interval_ > absl::ZeroDuration()) heartbeat_op_->Arm(*ring_, heartbeat_interval_);
  if (options_.metrics_interval > absl::ZeroDuration()) {
    metrics_due_ = MonotonicNow() + options_.metrics_interval;
    metrics_op_->Arm(*ring_, options_.metrics_interval);
  }
  if (absl::Status s = ring_->Run(); !s.ok()) {
    LogWorkerLoopFailed(env_.info.pid, s);
    return kExitWorkerFailed;
  }
  return kExitOk;
}

void WorkerRuntime::OnSignal(const signalfd_siginfo& info) noexcept {
  if (info.ssi_signo == SIGTERM) {
    Drain(::getppid() == env_.primary_pid ? "SIGTERM" : "SIGTERM (primary died)");
  }
}

void WorkerRuntime::OnChannelMessage(std::string_view payload) noexcept {
  // The primary's hand-off frames are these exact bytes; everything else is bus traffic.
  if (payload == kConnectionFrame) return OnConnectionHandedOver();
  if (payload == kHandOffEndFrame) return server_->HoldDrain(false);
  bus_.Dispatch(payload);
}

void WorkerRuntime::OnConnectionHandedOver() noexcept {
  UniqueFd connection = channel_->TakeReceivedFd();
  if (!connection) return;  // refused by the channel (over its cap): the primary's loss to see
  ++taken_;
  server_->Adopt(connection.release());
  ReportLoadThisTurn();  // the acknowledgement
}

void WorkerRuntime::ReportLoadThisTurn() noexcept {
  // One report per loop turn, however many connections came and went in it.
  if (taken_report_due_) return;
  taken_report_due_ = true;
  ring_->Defer([this] { SendTaken(); });
}

void WorkerRuntime::SendTaken() noexcept {
  taken_report_due_ = false;
  channel_->Send(TakenMessage({.taken = static_cast<int64_t>(taken_),
                               .open = server_->stats().open_connections}),
                 Lane::kControl);
}

void WorkerRuntime::OnHeartbeatTick(int res) noexcept {
  if (res != -ETIME || drained_) return MaybeStop();
  // Sent from the loop itself: a hung loop stops beating, which is what the watchdog detects.
  channel_->Send(LifecycleMessage(BuiltinType::kHeartbeat), Lane::kControl);
  heartbeat_op_->Arm(*ring_, heartbeat_interval_);
}

void WorkerRuntime::OnMetricsTick(int res) noexcept {
  if (res != -ETIME || drained_) return MaybeStop();
  // Loop lag: how late this timer ran — time the loop spent on other work past the deadline.
  const absl::Time now = MonotonicNow();
  const int64_t lag_us = std::max<int64_t>(0, absl::ToInt64Microseconds(now - metrics_due_));
  const HttpServerStats& stats = server_->stats();
  bus_.SendToPrimary(MetricMessage({.requests = static_cast<int64_t>(stats.requests),
                                    .connections = stats.open_connections,
                                    .rss_bytes = ResidentBytes(),
                                    .loop_lag_us = lag_us,
                                    .accepted = static_cast<int64_t>(stats.connections_accepted)}));
  metrics_due_ = now + options_.metrics_interval;
  metrics_op_->Arm(*ring_, options_.metrics_interval);
}

void WorkerRuntime::Drain(std::string_view why) noexcept {
  (void)why;
  // Orphaned (even mid-drain, if the primary died after asking us to drain): bounded exit.
  if (::getppid() != env_.primary_pid && !drained_ && !deadline_op_->in_flight()) {
    deadline_op_->Arm(*ring_, kOrphanDrainBound);
  }
  if (draining_) return;
  draining_ = true;
  // Drained by someone other than the primary (SIGTERM from outside): ask for no more
  // connections; the drain finishes once the primary answers that none will follow.
  if (TakesHandOffs()) channel_->Send(LifecycleMessage(BuiltinType::kHandOffStop), Lane::kControl);
  server_->Drain([this] { OnDrained(); });
}

void WorkerRuntime::OnDrained() noexcept {
  drained_ = true;
  channel_->Close();
  signals_->Stop();
  ring_->Cancel(*deadline_op_);
  ring_->Cancel(*heartbeat_op_);
  ring_->Cancel(*metrics_op_);
  // Every request is answered: nothing waits on Redis any more.
  if (redis_ != nullptr) redis_->Stop([this] { MaybeStop(); });
  MaybeStop();
}

void WorkerRuntime::MaybeStop() noexcept {
  if (!drained_ || !channel_done_ || signals_->in_flight() || deadline_op_->in_flight() ||
      heartbeat_op_->in_flight() || metrics_op_->in_flight() ||
      (redis_ != nullptr && redis_->in_flight())) {
    return;
  }
  ring_->Stop();
}

}  // namespace ringleader
