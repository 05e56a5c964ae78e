// The built-in app every `ringleader` worker serves unless a program installs its own routes:
//   GET /           → 200 {"worker":PID}
//   GET /health     → 200 {"pid":PID,"status":"ok"}
//   GET /delay/<ms> → after <ms> (≤ 60000, a ring timer) 200 {"worker":PID,"delayed_ms":N}
//   POST /echo      → 200 {"worker":PID,"received":<body bytes>} (for body handling tests)
#pragma once

#include "net/router.h"
#include "tools/ringleader/cluster.h"

namespace ringleader {

void InstallBuiltinApp(Router& router, const WorkerInfo& self);

}  // namespace ringleader
