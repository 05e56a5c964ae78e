// Cluster::Run: decides this process's role and runs it.
#include "cluster/cluster.h"

#include <unistd.h>

#include <memory>

#include "cluster/log_lines.h"
#include "cluster/primary.h"
#include "cluster/worker_runtime.h"
#include "core/status.h"
#include "ipc/worker_bus.h"
#include "ipc/worker_env.h"
#include "net/redis/redis_client.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define RINGLEADER_LEAK_CHECKER 1
#endif
#endif

namespace ringleader {
namespace {

// After a loop that stopped with ops in flight (a failed loop, a worker's drain bound) the kernel
// may still write into their buffers: leaking is the safe exit. The leak checker is told, so
// the exit is neither reported nor slowed by a report of what was meant.
template <typename T>
void LeakOnPurpose(std::unique_ptr<T> object) {
  T* raw = object.release();
#ifdef RINGLEADER_LEAK_CHECKER
  __lsan_ignore_object(raw);
#else
  (void)raw;
#endif
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisClient>> MakeRedisClient(const ClusterOptions& options) {
  if (options.redis.empty()) return nullptr;
  RL_ASSIGN_OR_RETURN(RedisOptions redis, ParseRedisAddress(options.redis));
  redis.connections = options.redis_connections;
  redis.call_timeout = options.redis_timeout;
  return std::make_unique<RedisClient>(std::move(redis));
}

Cluster::Cluster(int argc, char** argv, ClusterOptions options)
    : argv_(argv, argv + argc), options_(std::move(options)) {}

bool Cluster::IsPrimary() { return absl::IsNotFound(DecodeWorkerEnv().status()); }

int Cluster::Run() {
  auto env = DecodeWorkerEnv();
  if (absl::IsNotFound(env.status())) {
    auto primary = std::make_unique<Primary>(argv_, options_, std::move(on_transition_),
                                             std::move(primary_handlers_));
    const int rc = primary->Run();
    if (!primary->safe_to_destroy()) LeakOnPurpose(std::move(primary));
    return rc;
  }
  if (!env.ok()) {
    LogError(env.status());
    return kExitFatal;
  }
  absl::StatusOr<SharedRegion> shared = SharedRegion::Map(env->shared_fd);
  if (!shared.ok()) {
    LogError(shared.status());
    return kExitFatal;
  }
  absl::StatusOr<std::unique_ptr<RedisClient>> redis = MakeRedisClient(options_);
  if (!redis.ok()) {
    LogError(redis.status());
    return kExitFatal;
  }
  Router router;
  WorkerBus bus(env->info.slot);
  WorkerContext context{
      .self = env->info, .bus = bus, .shared = *shared, .redis = redis->get()};
  context.self.pid = ::getpid();
  if (worker_setup_) worker_setup_(router, context);
  auto worker = std::make_unique<WorkerRuntime>(*env, options_, router, bus, std::move(*redis));
  const int rc = worker->Run();
  if (!worker->safe_to_destroy()) LeakOnPurpose(std::move(worker));
  return rc;
}

}  // namespace ringleader
