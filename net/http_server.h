// HttpServer: a worker's HTTP/1.1 accept loop on an inherited listener, driven by the ring, or
// with no listener (-1), serving the connections the primary hands over (Adopt).
// One-shot accepts; per connection a receive over a shared provided-buffer ring (one-shot first,
// then multishot), llhttp, the Router, and batched sends; closed connections are kept for the
// next ones. A coarse tick enforces header, idle and linger timeouts.
//
//   RL_ASSIGN_OR_RETURN(auto server, HttpServer::Create(ring, listener_fd, router, {}));
//   server->Start();                       // accepting from the next loop turn
//   server->Drain([&] { ring.Stop(); });   // stop accepting, finish in-flight, close, then call
//
//   server->HoldDrain(true);   // with no listener: more hand-offs may come, a drain waits
//   server->Adopt(fd);         // a connection the primary accepted
//   server->HoldDrain(false);  // the primary said no more will come
#pragma once

#include <cstdint>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/buffer_ring.h"
#include "core/clock.h"
#include "core/ops.h"
#include "core/ring.h"
#include "net/accept_watch.h"
#include "net/http_date.h"
#include "net/http_parser.h"
#include "net/router.h"

namespace ringleader {

class HttpConnection;

struct HttpServerOptions {
  HttpLimits limits;
  absl::Duration header_timeout = absl::Seconds(10);  // 408 when headers take longer
  absl::Duration idle_timeout = absl::Seconds(5);     // keep-alive idle close (Node's default)
  absl::Duration linger_timeout = absl::Seconds(2);   // half-closed, waiting for the peer's EOF
  int max_connections = 10000;                        // beyond: accepted and closed at once
  uint16_t buffer_count = 1024;                       // provided receive buffers (power of 2)
  uint32_t buffer_size = 4096;
  uint16_t buffer_group = 0;
  // One-shot by default. Several workers accept from one shared listener: a multishot accept
  // stays at the head of the listener's exclusive wait queue, so one worker would take every
  // connection; a one-shot accept re-queues at the tail after each connection, which spreads
  // them across workers. Alone on a socket (reuseport), one-shot is cheaper too: a multishot
  // accept woke the loop for each connection instead of joining the batch (README, "Connection
  // distribution").
  bool multishot_accept = false;
};

struct HttpServerStats {
  uint64_t requests = 0;
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;  // over max_connections
  int open_connections = 0;
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Create(Ring& ring, int listen_fd,
                                                            Router& router,
                                                            HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void Start() noexcept;
  // Stops accepting; idle connections are closed, busy ones finish their current request with
  // "Connection: close". `on_drained` runs once no connection and no op remains.
  void Drain(absl::AnyInvocable<void()> on_drained) noexcept;

  // Serves a connection accepted elsewhere; counted as accepted. During a drain it answers one
  // request with "Connection: close"; after the drain finished it is closed at once.
  void Adopt(int fd) noexcept;
  // While held, a drain does not finish even with no connection left.
  void HoldDrain(bool hold) noexcept;
  // Runs whenever a connection opens or closes (the worker tells the primary its load).
  void OnConnectionCountChanged(absl::AnyInvocable<void()> callback) noexcept {
    on_count_changed_ = std::move(callback);
  }

  bool draining() const noexcept { return draining_; }
  const HttpServerStats& stats() const noexcept { return stats_; }

  // For connections.
  Ring& ring() noexcept { return ring_; }
  BufferRing& buffers() noexcept { return *buffers_; }
  Router& router() noexcept { return router_; }
  const HttpServerOptions& options() const noexcept { return options_; }
  std::string_view date() const noexcept { return date_.value(); }
  absl::Time now() const noexcept { return now_; }
  void CountRequest() noexcept { ++stats_.requests; }
  void Release(HttpConnection* connection) noexcept;

 private:
  HttpServer(Ring& ring, int listen_fd, Router& router, HttpServerOptions options);
  void OnAccept(int res, uint32_t flags) noexcept;
  void OnTick(int res) noexcept;
  void ArmTick() noexcept;
  void ArmAccept() noexcept;
  void MaybeFinishDrain() noexcept;
  void AddConnection(int fd) noexcept;
  void Recycle(HttpConnection* connection) noexcept;

  // Closed connections kept for the next ones (buffers and all): a warm worker allocates nothing
  // per connection. Bounded, so a burst does not pin its peak memory.
  static constexpr int kMaxSpareConnections = 256;

  Ring& ring_;
  int listen_fd_;
  Router& router_;
  HttpServerOptions options_;
  std::unique_ptr<BufferRing> buffers_;
  HttpDate date_;
  absl::Time now_ = MonotonicNow();  // deadlines only; the Date header reads the wall clock
  AcceptOp accept_op_;
  AcceptWatch accept_watch_;
  TimeoutOp tick_op_;
  HttpConnection* connections_ = nullptr;  // intrusive list of live connections
  HttpConnection* spares_ = nullptr;       // closed ones, linked through `next`
  int spare_count_ = 0;
  HttpServerStats stats_;
  bool draining_ = false;
  bool drained_ = false;
  bool drain_held_ = false;
  absl::AnyInvocable<void()> on_drained_;
  absl::AnyInvocable<void()> on_count_changed_;
};

}  // namespace ringleader
