// Cluster::Run: decides this process's role and runs it.
#include "tools/ringleader/cluster.h"

#include <unistd.h>

#include <memory>

#include "tools/ringleader/log_lines.h"
#include "tools/ringleader/primary.h"
#include "tools/ringleader/worker_bus.h"
#include "tools/ringleader/worker_env.h"
#include "tools/ringleader/worker_runtime.h"

namespace ringleader {

Cluster::Cluster(int argc, char** argv, ClusterOptions options)
    : argv_(argv, argv + argc), options_(std::move(options)) {}

bool Cluster::IsPrimary() { return absl::IsNotFound(DecodeWorkerEnv().status()); }

int Cluster::Run() {
  auto env = DecodeWorkerEnv();
  if (absl::IsNotFound(env.status())) {
    auto primary = std::make_unique<Primary>(argv_, options_, std::move(on_transition_),
                                             std::move(primary_handlers_));
    const int rc = primary->Run();
    // After a failed loop the kernel may still hold op buffers: leaking is the safe exit.
    if (!primary->safe_to_destroy()) (void)primary.release();
    return rc;
  }
  if (!env.ok()) {
    LogError(env.status());
    return kExitFatal;
  }
  Router router;
  WorkerBus bus(env->info.slot);
  WorkerContext context{.self = env->info, .bus = bus};
  context.self.pid = ::getpid();
  if (worker_setup_) worker_setup_(router, context);
  auto worker = std::make_unique<WorkerRuntime>(*env, options_, router, bus);
  const int rc = worker->Run();
  if (!worker->safe_to_destroy()) (void)worker.release();
  return rc;
}

}  // namespace ringleader
