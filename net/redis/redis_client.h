// RedisClient: a worker's Redis client on its own io_uring loop — a small pool of pipelined
// connections that reconnect with backoff, a timeout per call, and replies parsed under limits.
// The worker never blocks on Redis: when no connection is up, calls fail at once.
//
//   RedisClient redis(options);            // before the loop exists
//   redis.Start(ring);                     // connects through the ring
//   redis.Call({"SET", key, value, "EX", "3600"},
//              [](absl::StatusOr<RedisReply> reply) noexcept { ... });
//   ...
//   redis.Stop();                          // pending calls fail with Cancelled
//   while (redis.in_flight()) ring.Run();  // (with something that stops the loop each turn)
//
// Callback contract: `done` runs exactly once per Call, always from the loop, never inside
// Call() itself — a fail-fast answer goes through Ring::Defer — so a caller may hold locks or
// iterate its own state around Call(). Statuses:
//   Unavailable       no connection is up ("redis 127.0.0.1:6379 unavailable: Connection
//                     refused"), the connection broke under the call, or the client is stopped
//   DeadlineExceeded  no reply within call_timeout (the connection is then replaced)
//   DataLoss          the reply was malformed (that connection is replaced)
//   ResourceExhausted the reply broke max_reply_bytes / max_array_elements (connection
//                     replaced), or every connection already has max_pending_per_connection
//   Cancelled         Stop() ran while the call was pending (callbacks run inside Stop())
//   InvalidArgument   an empty argument list
// A Redis error reply ("-ERR ...") is an OK result with RedisReply::Type::kError.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/ring.h"
#include "net/redis/redis_connection.h"
#include "net/redis/redis_options.h"
#include "net/redis/redis_reply.h"
#include "net/redis/redis_stats.h"

namespace ringleader {

class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  // Requires !in_flight(): the owner calls Stop() and runs the ring until in_flight() is false
  // (the ring may be gone by then). Calls made before a Start() that never came fail here.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Opens the pool through `ring`, which must outlive every op (see in_flight()). Calls made
  // before Start fail with Unavailable on the loop's next turn. Once only.
  void Start(Ring& ring) noexcept;
  // Fails every pending call with Cancelled (inside Stop) and cancels every op; later calls fail
  // with Unavailable (deferred). Final. `on_idle` runs from the loop once in_flight() has turned
  // false, if it was true (so an owner waiting to stop its ring learns when it may); a second
  // Stop() with a hook replaces the first one's.
  void Stop(absl::AnyInvocable<void()> on_idle = nullptr) noexcept;
  // An op is still owed a final completion: keep the ring running and this object alive.
  bool in_flight() const noexcept;

  // Sends one command (`args` are binary-safe; the command name first) on the connected
  // connection with the fewest pending calls. The argument bytes are copied before returning.
  void Call(std::span<const std::string_view> args, RedisCallback done) noexcept;
  void Call(std::initializer_list<std::string_view> args, RedisCallback done) noexcept {
    Call(std::span<const std::string_view>(args.begin(), args.size()), std::move(done));
  }

  // Some connection is up (calls can succeed right now).
  bool connected() const noexcept;
  const RedisStats& stats() const noexcept { return stats_; }
  const RedisOptions& options() const noexcept { return options_; }

 private:
  enum class State { kCreated, kRunning, kStopped };

  // Fails `done` with `why` on the loop's next turn; captures nothing of this client, so the
  // client may be destroyed before it runs.
  void FailLater(absl::Status why, RedisCallback done) noexcept;
  // Why no connection can take a call right now.
  absl::Status WhyUnavailable() const;

  RedisOptions options_;
  std::string label_;  // "redis host:port"
  State state_ = State::kCreated;
  Ring* ring_ = nullptr;
  absl::Status endpoint_status_;  // the address did not resolve: every call fails with it
  RedisEndpoint endpoint_;
  std::vector<std::unique_ptr<RedisConnection>> pool_;
  std::vector<RedisCallback> before_start_;  // calls made before Start()
  std::string command_;                      // scratch for formatting, reused
  RedisStats stats_;
  absl::AnyInvocable<void()> on_idle_;  // set by Stop()
};

}  // namespace ringleader
