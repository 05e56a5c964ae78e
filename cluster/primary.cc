// The primary's loop and the lifecycle: spawn, deliver events, carry actions, trace, stop.
#include "cluster/primary.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "cluster/log_lines.h"
#include "core/absl_bridge.h"
#include "core/clock.h"
#include "core/probe.h"
#include "core/signals.h"
#include "core/status.h"
#include "ipc/worker_env.h"
#include "net/listener.h"
#include "net/redis/redis_options.h"

namespace ringleader {
namespace {

// Workers run the program the operator invoked, looked up again at each spawn: a deploy that
// replaces the file or flips a symlink at that path is what the next worker runs. An argv[0]
// that names no program even now (`exec -a name`) falls back to the running binary's path.
InvokedExecutable SelfExecutable(const std::vector<std::string>& argv) {
  InvokedExecutable invoked = InvokedExecutable::FromArgv0(argv.empty() ? "" : argv.front());
  if (invoked.Resolve().ok()) return invoked;
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  return InvokedExecutable(n > 0 ? std::string(path, static_cast<size_t>(n)) : "/proc/self/exe",
                           "/");
}

// The same failure, saying what it stopped (the executable is gone, fork failed...).
absl::Status CannotStartWorker(const absl::Status& why) {
  return absl::Status(why.code(), absl::StrCat("cannot start a worker: ", why.message()));
}

}  // namespace

Primary::Slot::Slot(int i, Primary& primary)
    : index(i),
      respawn_timer([this, &primary](int res, uint32_t) noexcept {
        primary.OnRespawnTimer(*this, res);
      }) {}

Primary::Primary(std::vector<std::string> argv, ClusterOptions options,
                 TransitionCallback on_transition,
                 std::vector<std::pair<std::string, PrimaryMessageHandler>> handlers)
    : argv_(std::move(argv)),
      // `ringleader exec`: the program is found as a shell would find it, once, from here.
      executable_(options.exec.argv.empty() ? SelfExecutable(argv_)
                                            : InvokedExecutable::FromArgv0(options.exec.argv[0])),
      options_(std::move(options)),
      on_transition_(std::move(on_transition)),
      primary_handlers_(std::move(handlers)),
      fleet_(options_.restart, static_cast<uint64_t>(::getpid())) {
  hooks_.on_event = [this](WorkerProcess& w, WorkerEvent e, std::string_view cause) {
    Deliver(w, e, cause);
  };
  hooks_.on_released = [this](WorkerProcess& w) { OnReleased(w); };
  hooks_.on_message = [this](WorkerProcess& w, const Envelope& e, std::string_view payload) {
    OnBusMessage(w, e, payload);
  };
}

Primary::~Primary() = default;

absl::Status Primary::SetUp() {
  RL_RETURN_IF_ERROR(ProbeIoUring());
  // A --redis that cannot work is a configuration error now, not in every worker later.
  if (!options_.redis.empty()) RL_RETURN_IF_ERROR(ParseRedisAddress(options_.redis).status());
  RL_RETURN_IF_ERROR(CheckExecOptions());
  if (options_.worker_identity) {
    // Workers exec after dropping to --user: a binary it cannot reach would only crash-loop.
    RL_ASSIGN_OR_RETURN(const std::string executable, executable_.Resolve());
    RL_RETURN_IF_ERROR(CheckRunnableAs(executable, *options_.worker_identity));
  }
  RL_ASSIGN_OR_RETURN(ring_, Ring::Create());
  // Created before any worker and held here, so it outlives every worker restart.
  RL_ASSIGN_OR_RETURN(SharedRegion shared, SharedRegion::Create());
  shared_ = std::make_unique<SharedRegion>(std::move(shared));
  RL_RETURN_IF_ERROR(OpenListeners());
  RL_RETURN_IF_ERROR(OpenControl());
  RL_RETURN_IF_ERROR(OpenMetrics());
  RL_ASSIGN_OR_RETURN(
      signals_,
      SignalReader::Open(
          {SIGTERM, SIGINT, SIGQUIT, SIGUSR2, SIGHUP, SIGTTIN, SIGTTOU, SIGCHLD},
          [this](const signalfd_siginfo& info) noexcept {
            OnSignal(static_cast<int>(info.ssi_signo));
          },
          [this](int res) noexcept {
            if (res < 0) LogError(ErrnoStatus(res, "reading signals"));
            MaybeFinish();
          }));
  IgnoreSignals({SIGPIPE});
  if (!options_.trace_path.empty()) {
    RL_ASSIGN_OR_RETURN(trace_, TraceWriter::Open(*ring_, options_.trace_path));
    trace_->OnIdle([this] { MaybeFinish(); });
  }
  if (options_.workers <= 0) options_.workers = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  watchdog_op_ =
      std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept { OnWatchdogTick(res); });
  metrics_op_ =
      std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept { OnMetricsTick(res); });
  stagger_op_ = std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept {
    if (res == -ETIME) CarryFleet(fleet_.StaggerElapsed());
    MaybeFinish();
  });
  return absl::OkStatus();
}

int Primary::Run() {
  if (absl::Status s = SetUp(); !s.ok()) {
    LogError(s);
    return kExitSetupFailed;
  }
  auto port = LocalPort(listener_.get());
  LogPrimaryRunning(::getpid(), options_.workers, options_.listen.host, port.ok() ? *port : 0);
  CarryFleet(fleet_.Start(options_.workers));
  signals_->Start(*ring_);
  if (options_.watchdog_timeout > absl::ZeroDuration()) ArmWatchdog(MonotonicNow());
  if (options_.metrics_interval > absl::ZeroDuration()) {
    metrics_op_->Arm(*ring_, options_.metrics_interval);
  }
  if (absl::Status s = ring_->Run(); !s.ok()) {
    LogPrimaryLoopFailed(s);
    for (auto& w : workers_) w->Signal(SIGKILL);
    return kExitLoopFailed;
  }
  LogPrimaryStopped(::getpid(), forced_);
  if (failure_exit_ != kExitOk) return failure_exit_;
  return forced_ ? kExitForced : kExitOk;
}

SpawnRequest Primary::SelfSpawnRequest(std::string executable, int slot, uint32_t generation,
                                       int listen_fd, int channel_fd) const {
  WorkerEnv env{.info = {.slot = slot, .generation = generation},
                .primary_pid = ::getpid(),
                .listen_fd = listen_fd,
                .channel_fd = channel_fd,
                .shared_fd = shared_->fd()};
  std::vector<int> inherit = {channel_fd, shared_->fd()};
  if (listen_fd >= 0) inherit.push_back(listen_fd);
  return SpawnRequest{.executable = std::move(executable),
                      .argv = argv_,
                      .env = {EncodeWorkerEnv(env)},
                      .inherit_fds = inherit,
                      .parent_death_signal = SIGTERM,
                      .run_as = options_.worker_identity};
}

absl::StatusOr<WorkerProcess*> Primary::SpawnWorker(int slot, uint32_t generation,
                                                    std::string_view cause) noexcept {
  const absl::StatusOr<std::string> executable = executable_.Resolve();
  if (!executable.ok()) return CannotStartWorker(executable.status());
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        absl::StrCat("socketpair: ", std::strerror(error)));
  }
  UniqueFd ours(fds[0]);
  UniqueFd theirs(fds[1]);
  const absl::StatusOr<int> listen_fd = ListenerFor(slot);
  if (!listen_fd.ok()) return CannotStartWorker(listen_fd.status());
  absl::StatusOr<Child> child;
  ProgramNotify notify;  // `ringleader exec` only
  if (exec_mode()) {
    absl::StatusOr<ProgramChild> program = SpawnProgram(*executable, slot, generation, *listen_fd);
    if (!program.ok()) return CannotStartWorker(program.status());
    child = std::move(program->child);
    notify = std::move(program->notify);
  } else {
    child = Spawn(SelfSpawnRequest(*executable, slot, generation, *listen_fd, theirs.get()));
  }
  if (!child.ok()) return CannotStartWorker(child.status());
  // A program of the user's never speaks our channel: its end closes now, and ours reads EOF.
  theirs.Reset();
  auto worker = std::make_unique<WorkerProcess>(*ring_, slot, generation,
                                                std::move(child).value(), std::move(ours),
                                                ChannelLimits{.max_payload = options_.ipc_max_message,
                                                              .max_queued_bytes = options_.ipc_max_queue},
                                                hooks_);
  WorkerProcess& w = *worker;
  workers_.push_back(std::move(worker));
  lives_[&w] = WorkerLife{};
  const Step birth = BirthStep();
  Trace(w, std::nullopt, birth.next, WorkerEvent::kForked, cause);
  for (Action a : birth.actions) Carry(w, a);
  w.Start();
  if (exec_mode()) OnProgramStarted(w, std::move(notify));
  return &w;
}

void Primary::Deliver(WorkerProcess& worker, WorkerEvent event, std::string_view cause) noexcept {
  WorkerLife& life = LifeOf(worker);
  // Its loop runs: from now on it owes heartbeats, whatever its lifecycle makes of the message.
  // (A program under `ringleader exec` owes them only once it has sent one: OnNotify.)
  if (event == WorkerEvent::kOnlineMessage && life.watch == WorkerLife::Watch::kNotYet &&
      !exec_mode()) {
    life.watch = WorkerLife::Watch::kWatching;
  }
  const WorkerState from = life.state;
  const Step step = ApplyEvent(from, event);
  if (!step.legal) {
    // Mostly a worker repeating online/listening: its own input, so logged sparingly.
    return worker.LogSparingly(worker.counters().refused_events,
                               absl::StrCat("refused event ", Absl(EventName(event)), " in state ",
                                            Absl(StateName(from))));
  }
  if (IsNoOp(from, step)) return;
  life.state = step.next;
  life.ever_listened = life.ever_listened || step.next == WorkerState::kListening;
  // An exit's record says what follows it (restart now, after a backoff, parked, ...): the
  // fleet decides it now, and its actions are carried out when the worker is released.
  FleetStep after_exit;
  std::string full_cause(cause);
  if (event == WorkerEvent::kExited) {
    // Reaped: a shared-table lock it died holding is freed before its pid can be reused.
    shared_->ReleaseLocksOf(worker.pid());
    after_exit = fleet_.WorkerExited(worker.slot(), ExitOf(worker));
    full_cause = FormatExitCause(cause, after_exit.plan);
  }
  Trace(worker, from, step.next, event, full_cause);
  if (event == WorkerEvent::kOnlineMessage && step.next == WorkerState::kOnline) {
    LogWorkerOnline(worker.pid());
    OnWorkerOnline(worker);
  }
  for (Action a : step.actions) {
    if (a == Action::kRelease) CarryFleet(after_exit);
    Carry(worker, a);
  }
  // Who takes handed-over connections, and which reuseport slot has nobody, may have changed.
  OnServingChanged();
}

void Primary::Carry(WorkerProcess& worker, Action action) noexcept {
  switch (action) {
    case Action::kArmReadyTimer: return worker.ArmReadyTimer(options_.ready_timeout);
    case Action::kDisarmReadyTimer: return worker.DisarmReadyTimer();
    case Action::kRequestDrain:
      StopHandOffs(worker);  // before the signal: it may finish once told none will follow
      return worker.Signal(exec_mode() ? options_.exec.stop_signal : SIGTERM);
    case Action::kArmDrainTimer: return worker.ArmDrainTimer(options_.drain_timeout);
    case Action::kDisarmDrainTimer: return worker.DisarmDrainTimer();
    case Action::kKill: return worker.Signal(SIGKILL);
    case Action::kAnnounceListening:
      LogWorkerListening(worker.pid());
      CarryFleet(fleet_.WorkerListening(worker.slot(), worker.generation(), worker.pid()));
      return TellReadyOnceAllListen();
    case Action::kRelease: return worker.Release();  // the fleet's answer is carried by Deliver
  }
}

void Primary::Trace(const WorkerProcess& worker, std::optional<WorkerState> from, WorkerState to,
                    WorkerEvent event, std::string_view cause) noexcept {
  TraceRecord record{.t_ns = absl::ToUnixNanos(MonotonicNow()),
                     .slot = worker.slot(),
                     .generation = worker.generation(),
                     .pid = worker.pid(),
                     .from = from,
                     .to = to,
                     .event = event,
                     .cause = std::string(cause)};
  const std::string line = FormatTraceLine(record);
  CountTransition(from, to, line);
  if (trace_) trace_->Append(line);
  if (on_transition_) on_transition_(record);
}

void Primary::OnReleased(WorkerProcess& worker) noexcept {
  if (const NotifySocket* notify = worker.notify(); notify != nullptr) {
    const NotifyStats& n = notify->stats();
    const uint64_t other_pids = worker.counters().spoofed;
    if (n.garbage + n.oversize + n.no_credentials + other_pids > 0) {
      LogNotifyRefused(worker.pid(), worker.slot(), n.garbage, n.oversize, n.no_credentials,
                       other_pids);
    }
  }
  RedistributeUnacknowledged(worker);
  AddCounters(retired_bus_totals_, worker);
  metrics_.Forget(worker.pid());
  ring_->Defer([this, w = &worker] {
    lives_.erase(w);
    std::erase_if(workers_, [w](const auto& p) { return p.get() == w; });
    MaybeFinish();
  });
}

void Primary::OnSignal(int signal_number) noexcept {
  const std::string name = SignalName(signal_number);
  switch (signal_number) {
    case SIGTERM:
    case SIGINT:
      if (stopping()) {
        ForceShutdown(absl::StrCat("second ", name));
      } else {
        BeginShutdown(name);
      }
      break;
    case SIGQUIT: ForceShutdown(name); break;
    case SIGTTIN: CarryFleet(fleet_.ScaleUp()); break;
    case SIGTTOU: CarryFleet(fleet_.ScaleDown()); break;
    case SIGUSR2:
    case SIGHUP: CarryFleet(fleet_.RolloutRequested(name)); break;
    default: break;  // SIGCHLD: exits arrive through the pidfds
  }
  MaybeFinish();
}

void Primary::BeginShutdown(std::string_view why) noexcept {
  LogStopping(::getpid(), why, LiveWorkers());
  TellServiceManager("STOPPING=1\nSTATUS=stopping");
  CarryFleet(fleet_.Shutdown());  // respawn and stagger timers cancelled
  ring_->Cancel(*watchdog_op_);
  ring_->Cancel(*metrics_op_);
  const std::string cause =
      FormatDrainCause({.kind = DrainKind::kShutdown, .why = std::string(why)});
  for (auto& w : workers_) {
    // A worker already dead (awaiting release) has nothing to drain.
    if (IsLive(*w)) Deliver(*w, WorkerEvent::kDrainRequested, cause);
  }
}

void Primary::ForceShutdown(std::string_view why) noexcept {
  if (!stopping()) BeginShutdown(why);
  forced_ = true;
  LogKillingWorkers(::getpid(), why);
  for (auto& w : workers_) w->Signal(SIGKILL);
}

int Primary::LiveWorkers() const noexcept {
  int n = 0;
  for (const auto& w : workers_) n += IsLive(*w) ? 1 : 0;
  return n;
}

void Primary::MaybeFinish() noexcept {
  if (!stopping() || !workers_.empty()) return;
  for (const auto& slot : slots_) {
    if (slot->respawn_timer.in_flight()) return;
  }
  if (stagger_op_->in_flight() || watchdog_op_->in_flight() || metrics_op_->in_flight()) return;
  if (control_) {
    control_->Stop();  // served until every worker is gone: status works while draining
    if (!control_->idle()) return;
  }
  if (!MetricsStopped()) return;
  if (!IntakesIdle()) return UpdateIntakes();  // cancels what still accepts
  if (!ProgramOutputsIdle()) return;
  if (signals_->in_flight()) return signals_->Stop();
  if (trace_ && !trace_->idle()) return;
  ring_->Stop();
}

}  // namespace ringleader
