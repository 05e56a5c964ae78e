// Cluster: the library a ringleader server is built from — Node's `cluster` module, natively.
// The same program runs as the primary (supervises) and, re-executed, as each worker (serves).
//
//   int main(int argc, char** argv) {
//     ringleader::ClusterOptions options;
//     options.workers = 4;
//     options.listen.port = 8080;
//     ringleader::Cluster cluster(argc, argv, options);
//     cluster.OnWorkerStart([](ringleader::Router& router, ringleader::WorkerContext& me) {
//       router.Get("/", [pid = me.self.pid](const ringleader::HttpRequest&,
//                                           ringleader::HttpResponse& res) {
//         res.Json(200, "{\"hello\":" + std::to_string(pid) + "}");
//       });
//     });
//     cluster.OnTransition([](const ringleader::TraceRecord& r) { /* primary side */ });
//     return cluster.Run();   // primary: until SIGTERM; worker: until drained
//   }
#pragma once

#include <sys/types.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "core/process.h"
#include "fsm/restart_policy.h"
#include "fsm/trace.h"
#include "ipc/message.h"
#include "ipc/shared_state.h"
#include "ipc/worker_env.h"  // WorkerInfo
#include "net/http_server.h"
#include "net/listener.h"
#include "net/router.h"

namespace ringleader {

// Test-only: how every worker fails to start (kNone: it starts normally).
enum class DebugStartFailure {
  kNone,
  kConfigError,     // set-up fails with a configuration error
  kResourceError,   // set-up fails with a shortage (as ENOMEM would)
  kNeverListening,  // it serves but never reports listening (the ready timeout kills it)
};

// How connections reach workers (--sched). README "Connection distribution" has the measured
// trade-offs behind the default.
enum class Scheduling {
  kShared,      // one listening socket, every worker accepts from it (the kernel picks)
  kRoundRobin,  // the primary accepts and hands each connection to the least-loaded worker
  kReusePort,   // one SO_REUSEPORT socket per slot, kept by the primary across restarts
};
// Sticky sessions (--sticky, round-robin only): which connections go to the same worker.
enum class Sticky {
  kNone,
  kClientIp,  // one client address, one worker while it serves
};

// `ringleader exec`: each worker is a program of the user's (any language) instead of a copy of
// this binary. It gets the listening socket as fd 3 by the systemd socket-activation protocol
// (LISTEN_FDS=1, LISTEN_PID, LISTEN_FDNAMES) and says when it is ready by sd_notify.
enum class ReadyMode {
  kNotify,  // READY=1 on $NOTIFY_SOCKET
  kDelay,   // listening `ready_delay` after it started (programs that say nothing)
};
struct ExecOptions {
  std::vector<std::string> argv;  // empty: workers run the built-in server (this binary)
  ReadyMode ready = ReadyMode::kNotify;
  absl::Duration ready_delay = absl::ZeroDuration();
  int stop_signal = SIGTERM;  // what asks the program to drain; SIGKILL after drain_timeout
};

struct ClusterOptions {
  int workers = 0;  // 0: one per online CPU
  ListenOptions listen;
  Scheduling scheduling = Scheduling::kReusePort;  // measured: README "Connection distribution"
  Sticky sticky = Sticky::kNone;
  std::string trace_path;  // empty: no trace file
  // The control socket (ringleader-ctl): empty derives it from the port (cluster/control_path.h);
  // "off" opens none.
  std::string control_path;
  // The primary serves GET /metrics (Prometheus text) on this port from its own loop, on
  // listen.host; -1: off, 0: any free port (printed at start).
  int metrics_port = -1;
  // Sessions and caches in Redis for every worker (WorkerContext::redis): "HOST:PORT", empty:
  // none. Each worker keeps `redis_connections` pipelined connections; a call not answered
  // within `redis_timeout` fails (and its connection is replaced).
  std::string redis;
  int redis_connections = 2;
  absl::Duration redis_timeout = absl::Seconds(1);
  absl::Duration ready_timeout = absl::Seconds(5);
  absl::Duration drain_timeout = absl::Seconds(30);
  // A worker silent for this long (no heartbeat from its loop) is killed; zero disables.
  absl::Duration watchdog_timeout = absl::Seconds(5);
  // Pause between slots of a rolling restart.
  absl::Duration rollout_stagger = absl::Milliseconds(100);
  RestartPolicyOptions restart;
  HttpServerOptions http;
  // A busy worker's loop waits up to this long for a batch of completions before it runs them
  // (RingOptions::batch_wait): fewer wake-ups per request under load, none added when quiet.
  // Zero: every completion wakes the loop.
  absl::Duration batch_wait = absl::Microseconds(500);
  ExecOptions exec;
  // --user/--group: the primary keeps root (it bound the port, it holds the sockets); every
  // worker, built-in or exec'd, runs with these ids only and can never regain root.
  std::optional<SpawnRequest::Identity> worker_identity;
  // Test-only switches (never in production): /debug/spin and /debug/crash routes, workers
  // of generation >= debug_fail_generation exit with code 1 at start (0: off), and every
  // worker fails to start as debug_start_failure says.
  bool debug_endpoints = false;
  uint32_t debug_fail_generation = 0;
  DebugStartFailure debug_start_failure = DebugStartFailure::kNone;
  // Message bus: each worker reports METRIC this often (and the primary broadcasts the
  // aggregate as CLUSTER_METRICS); frames over ipc_max_message are dropped and counted.
  absl::Duration metrics_interval = absl::Seconds(1);
  size_t ipc_max_message = 64 * 1024;
  size_t ipc_max_queue = 4 * 1024 * 1024;  // per worker, each direction
};

class WorkerBus;
class RedisClient;

// What a worker's setup callback gets: who it is, its end of the message bus, and the two places
// for state every worker must see alike (each worker has its own heap: a plain map in one is
// invisible to the others).
struct WorkerContext {
  WorkerInfo self;
  WorkerBus& bus;
  // Cluster-wide counters and a small table in shared memory, held by the primary across
  // worker restarts (ipc/shared_state.h).
  const SharedRegion& shared;
  // This worker's Redis client on its own loop (net/redis/redis_client.h); null without
  // ClusterOptions::redis. Calls are made from handlers, once the loop runs.
  RedisClient* redis = nullptr;
};

// The primary's end of the bus, handed to primary-side message handlers.
class PrimaryBus {
 public:
  // Queues `payload` (a JSON object with "type") for the worker serving `slot`.
  virtual bool SendToWorker(int slot, std::string_view payload) = 0;
  // Queues `payload` for every serving worker; returns how many queues took it.
  virtual int Broadcast(std::string_view payload) = 0;

 protected:
  ~PrimaryBus() = default;
};

// The worker's Redis client for `options` (null without options.redis); InvalidArgument or
// NotFound for an address that does not parse or resolve. The primary checks it at start.
absl::StatusOr<std::unique_ptr<RedisClient>> MakeRedisClient(const ClusterOptions& options);

using WorkerSetup = absl::AnyInvocable<void(Router& router, WorkerContext& context)>;
using TransitionCallback = absl::AnyInvocable<void(const TraceRecord& record)>;
// A message a worker sent to the primary (no "to"), of a type the primary does not handle
// itself. `from_slot` is the sender's slot.
using PrimaryMessageHandler =
    absl::AnyInvocable<void(const Envelope& message, int from_slot, PrimaryBus& bus)>;

class Cluster {
 public:
  Cluster(int argc, char** argv, ClusterOptions options);

  // True in the process that supervises; false in a worker (Node's cluster.isPrimary).
  static bool IsPrimary();

  // Worker side: installs the routes. Runs once in each worker, before it accepts.
  void OnWorkerStart(WorkerSetup setup) { worker_setup_ = std::move(setup); }
  // Primary side: called for every lifecycle transition, after it is traced.
  void OnTransition(TransitionCallback callback) { on_transition_ = std::move(callback); }
  // Primary side: handles worker messages of `type` sent to the primary.
  void OnPrimaryMessage(std::string type, PrimaryMessageHandler handler) {
    primary_handlers_.emplace_back(std::move(type), std::move(handler));
  }

  // Runs this process's role. Returns the process exit status.
  int Run();

 private:
  std::vector<std::string> argv_;
  ClusterOptions options_;
  WorkerSetup worker_setup_;
  TransitionCallback on_transition_;
  std::vector<std::pair<std::string, PrimaryMessageHandler>> primary_handlers_;
};

}  // namespace ringleader
