// The built-in app every `ringleader` worker serves unless a program installs its own routes:
//   GET /           → 200 {"worker":PID}
//   GET /health     → 200 {"pid":PID,"status":"ok"}; 503 {"pid":PID,"status":"draining"}
//   GET /delay/<ms> → after <ms> (≤ 60000, a ring timer) 200 {"worker":PID,"delayed_ms":N}
//   POST /echo      → 200 {"worker":PID,"received":<body bytes>} (for body handling tests)
#pragma once

#include "net/router.h"
#include "tools/ringleader/cluster.h"

namespace ringleader {

// `debug_endpoints` adds GET /debug/spin (the worker's loop hangs forever) and GET /debug/crash
// (the worker aborts): for tests of the watchdog and crash handling, never for production.
void InstallBuiltinApp(Router& router, const WorkerInfo& self, bool debug_endpoints);

}  // namespace ringleader
