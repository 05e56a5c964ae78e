// Cluster: the library a ringleader server is built from — Node's `cluster` module, natively.
// The same program runs as the primary (supervises) and, re-executed, as each worker (serves).
//
//   int main(int argc, char** argv) {
//     ringleader::ClusterOptions options;
//     options.workers = 4;
//     options.listen.port = 8080;
//     ringleader::Cluster cluster(argc, argv, options);
//     cluster.OnWorkerStart([](ringleader::Router& router, const ringleader::WorkerInfo& me) {
//       router.Get("/", [pid = me.pid](const ringleader::HttpRequest&, ringleader::HttpResponse& res) {
//         res.Json(200, "{\"hello\":" + std::to_string(pid) + "}");
//       });
//     });
//     cluster.OnTransition([](const ringleader::TraceRecord& r) { /* primary side */ });
//     return cluster.Run();   // primary: until SIGTERM; worker: until drained
//   }
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "fsm/restart_policy.h"
#include "fsm/trace.h"
#include "net/http_server.h"
#include "net/listener.h"
#include "net/router.h"

namespace ringleader {

struct ClusterOptions {
  int workers = 0;  // 0: one per online CPU
  ListenOptions listen;
  std::string trace_path;  // empty: no trace file
  absl::Duration ready_timeout = absl::Seconds(5);
  absl::Duration drain_timeout = absl::Seconds(30);
  // A worker silent for this long (no heartbeat from its loop) is killed; zero disables.
  absl::Duration watchdog_timeout = absl::Seconds(5);
  // Pause between slots of a rolling restart.
  absl::Duration rollout_stagger = absl::Milliseconds(100);
  RestartPolicyOptions restart;
  HttpServerOptions http;
  // Test-only switches (never in production): /debug/spin and /debug/crash routes, and workers
  // of generation >= debug_fail_generation exit with code 1 at start (0: off).
  bool debug_endpoints = false;
  uint32_t debug_fail_generation = 0;
};

// What a worker knows about itself.
struct WorkerInfo {
  int slot = 0;
  uint32_t generation = 0;
  pid_t pid = 0;
};

using WorkerSetup = absl::AnyInvocable<void(Router& router, const WorkerInfo& self)>;
using TransitionCallback = absl::AnyInvocable<void(const TraceRecord& record)>;

class Cluster {
 public:
  Cluster(int argc, char** argv, ClusterOptions options);

  // True in the process that supervises; false in a worker (Node's cluster.isPrimary).
  static bool IsPrimary();

  // Worker side: installs the routes. Runs once in each worker, before it accepts.
  void OnWorkerStart(WorkerSetup setup) { worker_setup_ = std::move(setup); }
  // Primary side: called for every lifecycle transition, after it is traced.
  void OnTransition(TransitionCallback callback) { on_transition_ = std::move(callback); }

  // Runs this process's role. Returns the process exit status.
  int Run();

 private:
  std::vector<std::string> argv_;
  ClusterOptions options_;
  WorkerSetup worker_setup_;
  TransitionCallback on_transition_;
};

}  // namespace ringleader
