// The built-in app every `ringleader` worker serves unless a program installs its own routes:
//   GET /           → 200 {"worker":PID}
//   GET /health     → 200 {"pid":PID,"status":"ok"}; 503 {"pid":PID,"status":"draining"}
//   GET /delay/<ms> → after <ms> (≤ 60000, a ring timer) 200 {"worker":PID,"delayed_ms":N}
//   POST /echo      → 200 {"worker":PID,"received":<body bytes>} (for body handling tests)
// and the bus routes (builtin_bus_routes.cc): GET/POST /config, GET /metrics,
// POST /message/<slot|all>, GET /messages.
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
};

void InstallBuiltinApp(Router& router, WorkerContext& context, const BuiltinAppOptions& options);

// builtin_bus_routes.cc
// `operator_routes`: POST /config and POST /message/<slot|all> (tests only; operators use the
// control socket).
void InstallBusRoutes(Router& router, WorkerContext& context, size_t ipc_max_message,
                      bool operator_routes);
void InstallDebugBusRoutes(Router& router, WorkerContext& context, size_t ipc_max_message);

}  // namespace ringleader
