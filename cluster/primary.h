// Primary: the supervising process. One io_uring loop holds the signalfd, each worker's pidfd
// and channel, and the lifecycle timers; every worker moves through fsm/lifecycle.h, and every
// transition is traced.
//
//   Primary primary(argv, options, on_transition);
//   return primary.Run();   // kExitOk after a graceful stop, kExitForced after a forced one,
//                           // kExitSetupFailed, kExitLoopFailed, kExitAllSlotsParked
//                           // (core/exit_codes.h)
//
// Pending events are handled in one order within a loop turn: the kernel delivers completions,
// and a worker's exit (reap) is acted on before any decision that depends on who is alive.
// primary.cc holds the loop and the lifecycle; primary_fleet.cc carries out what the fleet
// (fsm/fleet.h: restart after a crash, rolling restart, scaling) decides; primary_distribution.cc
// opens the listening sockets and hands connections over (--sched); primary_watchdog.cc judges
// silent workers.
#pragma once

#include <simdjson.h>

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cluster/cluster.h"
#include "cluster/child_output.h"
#include "cluster/cluster_status.h"
#include "cluster/control_server.h"
#include "cluster/distribution.h"
#include "net/accept_watch.h"
#include "cluster/worker_process.h"
#include "core/exit_codes.h"
#include "core/invoked_executable.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/signal_reader.h"
#include "core/trace_writer.h"
#include "core/unique_fd.h"
#include "fsm/fleet.h"
#include "ipc/bus_route.h"
#include "ipc/cluster_metrics.h"

namespace ringleader {

class Primary final : private PrimaryBus {
 public:
  Primary(std::vector<std::string> argv, ClusterOptions options, TransitionCallback on_transition,
          std::vector<std::pair<std::string, PrimaryMessageHandler>> handlers);
  ~Primary();
  Primary(const Primary&) = delete;
  Primary& operator=(const Primary&) = delete;

  int Run();

  // False after a failed loop left ops in flight: the object must then be leaked, not
  // destroyed, because the kernel may still touch their buffers.
  bool safe_to_destroy() const noexcept { return ring_ == nullptr || ring_->ops_in_flight() == 0; }

 private:
  // What the primary knows of one worker's life; its WorkerProcess is the mechanism.
  struct WorkerLife {
    WorkerState state = WorkerState::kForking;  // fsm/lifecycle.h
    // Whether it ever served: a worker that never did is a crash loop however long it lived.
    bool ever_listened = false;
    // The watchdog judges a worker from its "online" (its loop runs and sends heartbeats) to its
    // one verdict.
    enum class Watch : uint8_t { kNotYet, kWatching, kFired } watch = Watch::kNotYet;
    // Connections handed to it (cluster/distribution.h); none after it asked to stop or was
    // told to drain.
    HandOffLedger handoffs;
    bool handoffs_stopped = false;
    // For status: requests per second over its last two METRICs, CPU over the last two looks.
    int64_t last_requests = -1;
    absl::Time last_metric_at;
    double requests_per_s = 0;
    uint64_t cpu_ticks = 0;
    absl::Time cpu_at;
    // The primary's copies of the connections it handed over and the worker has not yet
    // acknowledged, oldest first: if the worker dies, they go to another worker.
    std::deque<UniqueFd> unacknowledged;
    // `ringleader exec`: the program's last STATUS= (sd_notify), for status.
    std::string status_text;
  };

  // A listening socket the primary accepts from itself: the one listener (rr), or the socket of
  // a reuseport slot that has no serving worker.
  struct Intake {
    Intake(int slot_index, int listen_fd, Primary& primary);
    int slot;  // -1: the shared listener
    int fd;
    AcceptOp accept;
    uint64_t accepted = 0;
    AcceptWatch watch;            // a missed wake-up is re-armed on the intake tick
    bool backing_off = false;     // an accept error (EMFILE...): re-armed on the next tick
  };

  // One worker position's mechanism: its respawn timer. Which workers it has and what
  // happens to them is the fleet's (fsm/slot.h).
  struct Slot {
    Slot(int i, Primary& primary);
    int index;
    TimeoutOp respawn_timer;
    int64_t restarts = 0;  // workers started to replace one that died
    std::optional<absl::Duration> respawn_rearm;  // a new wait replacing the running one
  };

  // primary.cc: loop, lifecycle, signals, stop.
  absl::Status SetUp();
  // Forks a worker for `slot` and starts watching it; an error when no process could be made
  // (the executable is gone, fork or socketpair failed: EAGAIN, EMFILE).
  absl::StatusOr<WorkerProcess*> SpawnWorker(int slot, uint32_t generation,
                                             std::string_view cause) noexcept;
  // The built-in server: this binary again, told who it is in RINGLEADER_WORKER.
  SpawnRequest SelfSpawnRequest(std::string executable, int slot, uint32_t generation,
                                int listen_fd, int channel_fd) const;
  void Deliver(WorkerProcess& worker, WorkerEvent event, std::string_view cause) noexcept;

  // primary_systemd.cc: sd_notify to the service manager, and socket activation.
  void TellServiceManager(std::string_view state) noexcept;
  void TellReadyOnceAllListen() noexcept;
  void TellReloading() noexcept;
  void TellReloaded() noexcept;
  // True when systemd passed the listening socket (LISTEN_FDS): it becomes listener_.
  absl::StatusOr<bool> TakeActivatedListener();

  // primary_exec.cc: `ringleader exec`, a program of the user's as each worker.
  bool exec_mode() const noexcept { return !options_.exec.argv.empty(); }
  absl::Status CheckExecOptions() const;
  // A program's sd_notify socket, bound before it starts; `route` names its WorkerProcess once
  // that exists (the socket is read only from then on).
  struct ProgramNotify {
    std::unique_ptr<NotifySocket> socket;
    std::shared_ptr<WorkerProcess*> route;
  };
  struct ProgramChild {
    Child child;
    ProgramNotify notify;
  };
  // Starts the program with the listening socket at fd 3 (socket activation), its notify socket
  // and identity in the environment, and its stdout and stderr copied to ours, prefixed.
  absl::StatusOr<ProgramChild> SpawnProgram(std::string executable, int slot,
                                            uint32_t generation, int listen_fd) noexcept;
  // A datagram on a program's notify socket, from `sender` by the kernel's word.
  void OnNotify(WorkerProcess& worker, pid_t sender, const NotifyMessage& message) noexcept;
  // At stop: true once every program's output is copied out (or, for a pipe a program's own
  // child still holds, given up on).
  bool ProgramOutputsIdle() noexcept;
  // It exec'd: online now; listening when it says READY=1, or after --ready=delay.
  void OnProgramStarted(WorkerProcess& worker, ProgramNotify notify) noexcept;
  void Carry(WorkerProcess& worker, Action action) noexcept;
  void Trace(const WorkerProcess& worker, std::optional<WorkerState> from, WorkerState to,
             WorkerEvent event, std::string_view cause) noexcept;
  void OnReleased(WorkerProcess& worker) noexcept;
  void OnSignal(int signal_number) noexcept;
  void ArmWatchdog(absl::Time now) noexcept;
  void OnWatchdogTick(int res) noexcept;
  void BeginShutdown(std::string_view why) noexcept;
  void ForceShutdown(std::string_view why) noexcept;
  void MaybeFinish() noexcept;
  int LiveWorkers() const noexcept;
  WorkerLife& LifeOf(const WorkerProcess& worker) noexcept { return lives_[&worker]; }
  bool IsLive(const WorkerProcess& worker) const noexcept {
    const auto it = lives_.find(&worker);
    return it != lives_.end() && it->second.state != WorkerState::kDead;
  }
  bool HeartbeatsExpected(const WorkerProcess& worker) noexcept;
  bool stopping() const noexcept { return fleet_.stopping(); }

  // primary_bus.cc: the message bus.
  bool SendToWorker(int slot, std::string_view payload) override;
  int Broadcast(std::string_view payload) override;
  int ForEachLiveWorker(const WorkerProcess* except, absl::FunctionRef<bool(WorkerProcess&)> send);
  void OnBusMessage(WorkerProcess& worker, const Envelope& message,
                    std::string_view payload) noexcept;
  void UpdateConfig(WorkerProcess& worker, const Envelope& message) noexcept;
  std::string ConfigMessage() const;
  void OnWorkerOnline(WorkerProcess& worker) noexcept;
  void OnMetricsTick(int res) noexcept;
  BusTotals CurrentBusTotals() const;
  static void AddCounters(BusTotals& totals, WorkerProcess& worker);

  // primary_distribution.cc: listening sockets and connection hand-off.
  absl::Status OpenListeners();
  // The listening socket a worker of `slot` inherits; -1 when it gets connections handed over.
  absl::StatusOr<int> ListenerFor(int slot);
  bool PrimaryAccepts() const noexcept { return options_.scheduling != Scheduling::kShared; }
  bool IsServing(const WorkerProcess& worker) noexcept;
  bool SlotServing(int slot) noexcept;
  void OnServingChanged() noexcept;
  void UpdateIntakes() noexcept;
  void OnIntakeAccept(Intake& intake, int res, uint32_t flags) noexcept;
  void OnIntakeTick(int res) noexcept;
  void Distribute(UniqueFd connection) noexcept;
  bool HandOff(UniqueFd& connection) noexcept;
  void HandOffPending() noexcept;
  void SendHandOffsThisTurn(WorkerProcess& worker) noexcept;
  void OnTaken(WorkerProcess& worker, const Envelope& message) noexcept;
  void StopHandOffs(WorkerProcess& worker) noexcept;
  void RedistributeUnacknowledged(WorkerProcess& worker) noexcept;
  bool IntakesIdle() const noexcept;

  // primary_control.cc: the control socket (ringleader-ctl) and the status snapshot.
  absl::Status OpenControl();
  void OnControlRequest(std::string_view line, ControlClient& client) noexcept;
  void ControlScale(const simdjson::dom::object& request, ControlClient& client) noexcept;
  void ControlSend(const simdjson::dom::object& request, ControlClient& client) noexcept;
  void ApplyScale(int workers) noexcept;
  ClusterStatus Status() noexcept;
  // primary_metrics.cc: GET /metrics on --metrics_port.
  absl::Status OpenMetrics();
  bool MetricsStopped() noexcept;
  WorkerStatus StatusOf(WorkerProcess& worker, absl::Time now) noexcept;
  void OnMetricReport(WorkerProcess& worker) noexcept;
  void CountTransition(std::optional<WorkerState> from, WorkerState to, std::string_view line);

  // primary_fleet.cc: carrying out the fleet's decisions.
  WorkerExit ExitOf(const WorkerProcess& worker) noexcept;
  WorkerProcess* FindWorker(int slot, uint32_t generation) const noexcept;
  WorkerProcess* CurrentWorker(int slot) const noexcept;   // the one serving for the slot
  WorkerProcess* IncomingWorker(int slot) const noexcept;  // a rollout's, until it listens
  void CarryFleet(const FleetStep& step) noexcept;
  void CarryFleetAction(const FleetAction& action) noexcept;
  void CarrySlot(Slot& slot, const SlotAction& action) noexcept;
  void ScheduleRespawn(Slot& slot, absl::Duration delay) noexcept;
  void OnRespawnTimer(Slot& slot, int res) noexcept;

  std::vector<std::string> argv_;
  InvokedExecutable executable_;
  ClusterOptions options_;
  TransitionCallback on_transition_;
  std::vector<std::pair<std::string, PrimaryMessageHandler>> primary_handlers_;
  std::unique_ptr<Ring> ring_;
  bool told_ready_ = false;  // the service manager heard READY=1 of the first start
  std::unique_ptr<SharedRegion> shared_;
  // `ringleader exec`: each program's stdout and stderr, kept until their pipes end, which may
  // be after the program itself was reaped.
  std::list<std::unique_ptr<ChildOutput>> program_outputs_;  // mapped by every worker (ipc/shared_state.h)
  UniqueFd listener_;  // shared, rr; with reuseport, slot 0's socket
  std::vector<UniqueFd> slot_listeners_;  // reuseport: one per slot that ever existed
  std::vector<std::unique_ptr<Intake>> intakes_;
  std::unique_ptr<TimeoutOp> intake_tick_op_;  // while the primary accepts: stalls, retries
  std::deque<UniqueFd> pending_;  // accepted, waiting for a worker with room, oldest first
  WorkerPicker picker_;
  std::vector<PickCandidate> pick_candidates_;  // HandOff's, kept for their capacity
  std::vector<WorkerProcess*> pick_workers_;
  // Workers given connections this loop turn (slot, generation): sent together at its end.
  std::vector<std::pair<int, uint32_t>> handoffs_to_send_;
  uint64_t dropped_connections_ = 0;  // pending_ overflowed: closed, counted, logged sparingly
  std::unique_ptr<SignalReader> signals_;
  std::unique_ptr<TimeoutOp> watchdog_op_;
  absl::Time watchdog_due_;  // monotonic: when the armed tick should run
  std::unique_ptr<TimeoutOp> stagger_op_;
  std::unique_ptr<TimeoutOp> metrics_op_;
  ClusterMetrics metrics_;
  BusTotals bus_totals_;          // primary-wide counters (routed)
  BusTotals retired_bus_totals_;  // counters of released workers
  std::string config_json_ = "{}";
  int64_t config_version_ = 0;
  std::unique_ptr<TraceWriter> trace_;
  std::unique_ptr<ControlServer> control_;
  UniqueFd metrics_listener_;
  std::unique_ptr<Router> metrics_router_;
  std::unique_ptr<HttpServer> metrics_server_;
  bool metrics_drained_ = false;
  simdjson::dom::parser control_json_;
  std::optional<int> scale_after_rollout_;  // a scale asked for during a rolling restart
  absl::Time started_at_;
  std::map<std::string, int64_t> transitions_;       // "online->listening" → count
  std::map<std::string, int64_t> restarts_by_cause_;
  WorkerHooks hooks_;
  Fleet fleet_;  // which workers each slot has, and what follows each event
  std::vector<std::unique_ptr<Slot>> slots_;  // one per fleet slot
  std::vector<std::unique_ptr<WorkerProcess>> workers_;  // every worker not yet released
  std::unordered_map<const WorkerProcess*, WorkerLife> lives_;  // one per entry of workers_
  bool forced_ = false;
  int failure_exit_ = kExitOk;  // otherwise Run() returns it (the primary gave up)
};

}  // namespace ringleader
