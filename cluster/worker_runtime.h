// WorkerRuntime: the worker side of a cluster. Builds its own ring, serves HTTP on the listener
// it inherited and on the connections the primary hands over (--sched=rr, reuseport), reports
// online/listening to the primary over its channel, and drains on SIGTERM (from the primary, or
// PR_SET_PDEATHSIG when the primary dies).
//
//   WorkerRuntime worker(env, options, router);
//   return worker.Run();   // kExitOk after a drain; when it cannot start, kExitFatal for a
//                          // configuration error, kExitRetryable for a shortage (ENOMEM...);
//                          // kExitWorkerFailed when the loop fails (core/exit_codes.h)
#pragma once

#include <memory>

#include "absl/status/status.h"
#include "cluster/cluster.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/signal_reader.h"
#include "ipc/channel.h"
#include "ipc/worker_bus.h"
#include "ipc/worker_env.h"
#include "net/http_server.h"
#include "net/redis/redis_client.h"
#include "net/router.h"

namespace ringleader {

class WorkerRuntime {
 public:
  // `redis` (may be null) is the client the routes were given (WorkerContext::redis): it runs
  // on this worker's ring and is stopped once the server has drained.
  WorkerRuntime(WorkerEnv env, const ClusterOptions& options, Router& router, WorkerBus& bus,
                std::unique_ptr<RedisClient> redis);
  ~WorkerRuntime();
  WorkerRuntime(const WorkerRuntime&) = delete;
  WorkerRuntime& operator=(const WorkerRuntime&) = delete;

  int Run();

  // False when the drain bound stopped the loop with ops still in flight: the object must then
  // be leaked at exit, not destroyed, because the kernel may still touch their buffers.
  bool safe_to_destroy() const noexcept { return ring_ == nullptr || ring_->ops_in_flight() == 0; }

 private:
  absl::Status SetUp();
  absl::Status DebugSetUpFailure() const;
  void OnSignal(const signalfd_siginfo& info) noexcept;
  void Drain(std::string_view why) noexcept;
  void OnDrained() noexcept;
  void MaybeStop() noexcept;
  void OnHeartbeatTick(int res) noexcept;
  void OnMetricsTick(int res) noexcept;
  void OnChannelMessage(std::string_view payload) noexcept;
  void OnConnectionHandedOver() noexcept;
  void ReportLoadThisTurn() noexcept;
  void SendTaken() noexcept;
  bool TakesHandOffs() const noexcept { return options_.scheduling != Scheduling::kShared; }

  WorkerEnv env_;
  const ClusterOptions& options_;
  Router& router_;
  WorkerBus& bus_;
  std::unique_ptr<Ring> ring_;
  UniqueFd listener_;
  std::unique_ptr<SignalReader> signals_;
  std::unique_ptr<TimeoutOp> deadline_op_;
  std::unique_ptr<TimeoutOp> heartbeat_op_;
  absl::Duration heartbeat_interval_ = absl::ZeroDuration();
  std::unique_ptr<TimeoutOp> metrics_op_;
  absl::Time metrics_due_;
  std::unique_ptr<Channel> channel_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<RedisClient> redis_;  // after ring_: destroyed before it
  bool draining_ = false;
  bool drained_ = false;
  bool channel_done_ = false;
  uint64_t taken_ = 0;  // connections the primary handed over
  bool taken_report_due_ = false;
};

}  // namespace ringleader
