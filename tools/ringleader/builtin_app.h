// The built-in app every `ringleader` worker serves unless a program installs its own routes:
//   GET /           → 200 {"worker":PID}
//   GET /health     → 200 {"pid":PID,"status":"ok"}; 503 {"pid":PID,"status":"draining"}
//   GET /delay/<ms> → after <ms> (≤ 60000, a ring timer) 200 {"worker":PID,"delayed_ms":N}
//   POST /echo      → 200 {"worker":PID,"received":<body bytes>} (for body handling tests)
// the bus routes (builtin_bus_routes.cc): GET/POST /config, GET /metrics,
// POST /message/<slot|all>, GET /messages; GET /stats, counted cluster-wide in shared memory
// (builtin_stats.cc); and sessions in Redis, POST/GET/DELETE /session/<id>
// (builtin_sessions.cc).
#pragma once

#include <cstddef>

#include "cluster/cluster.h"
#include "net/router.h"

namespace ringleader {

struct BuiltinAppOptions {
  // Adds GET /debug/spin (the worker's loop hangs forever), GET /debug/crash (it aborts) and the
  // POST /debug/ipc/... routes that misbehave on the bus: for tests, never for production.
  bool debug_endpoints = false;
  size_t ipc_max_message = 64 * 1024;
  size_t max_session_bytes = 64 * 1024;  // a larger POST /session body is 413
};

void InstallBuiltinApp(Router& router, WorkerContext& context, const BuiltinAppOptions& options);

// builtin_bus_routes.cc
// `operator_routes`: POST /config and POST /message/<slot|all> (tests only; operators use the
// control socket).
void InstallBusRoutes(Router& router, WorkerContext& context, size_t ipc_max_message,
                      bool operator_routes);
void InstallDebugBusRoutes(Router& router, WorkerContext& context, size_t ipc_max_message);

// builtin_stats.cc: counts every request in context.shared; GET /stats (and, with
// `debug_endpoints`, the shared-memory churn and check routes of the kill test).
void InstallStatsRoutes(Router& router, WorkerContext& context, bool debug_endpoints);

// builtin_sessions.cc: POST/GET/DELETE /session/<id> through context.redis (503 without it).
void InstallSessionRoutes(Router& router, WorkerContext& context, size_t max_session_bytes);

}  // namespace ringleader
