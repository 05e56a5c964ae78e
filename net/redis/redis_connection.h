// RedisConnection: one pipelined TCP connection of a RedisClient's pool, with its own reconnect
// cycle. Internal to the client; the owner picks a connection and calls it.
//
//   RedisConnection conn(ring, endpoint, options, "redis 127.0.0.1:6379", stats);
//   conn.Start();                                    // connects through the ring
//   if (conn.accepting()) conn.Call(args, std::move(done));
//   conn.Stop();   // fails pending calls (Cancelled); destroy once !conn.in_flight()
//
// Lifecycle (one enum, no flags):
//   kConnecting --connected--> kUp --error/EOF/timeout--> kClosing --ops done--> kDown
//   kDown --backoff timer--> kConnecting;  any state --Stop()--> kStopped (final)
// A failed connect goes through kClosing too, so every socket is torn down one way.
//
// Pipelining: calls form a FIFO; their commands accumulate in `out_` and leave in one send when
// none is in flight, so calls made in the same loop turn share a send. Replies are matched to
// the FIFO front. One tick timer (call_timeout / 4) runs while calls are pending or a connect
// is under way: an overdue front call fails with DeadlineExceeded and the connection is
// replaced, because every reply behind it is suspect.
#pragma once

#include <cstddef>
#include <deque>
#include <span>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/unique_fd.h"
#include "net/redis/redis_options.h"
#include "net/redis/redis_reply.h"
#include "net/redis/redis_reply_reader.h"
#include "net/redis/redis_stats.h"

namespace ringleader {

class RedisConnection {
 public:
  enum class State { kConnecting, kUp, kClosing, kDown, kStopped };

  // `label` ("redis host:port") starts every message; `stats` is the client's, shared by the pool.
  RedisConnection(Ring& ring, const RedisEndpoint& endpoint, const RedisOptions& options,
                  std::string_view label, RedisStats& stats);
  // Requires !in_flight() (an op the kernel still holds aborts in its destructor).
  ~RedisConnection() = default;
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  void Start() noexcept { Connect(); }
  // Fails every pending call with Cancelled, cancels every op; final. `on_idle` runs once the
  // last op has completed (from that op's completion), if any was in flight.
  void Stop(absl::AnyInvocable<void()> on_idle = nullptr) noexcept;

  // Takes calls: up, or connecting after a good run (the first connect, or a reconnect after a
  // drop) so calls made at startup wait for the handshake instead of failing.
  bool accepting() const noexcept {
    return state_ == State::kUp || (state_ == State::kConnecting && consecutive_failures_ == 0);
  }
  size_t pending() const noexcept { return pending_.size(); }
  // Queues `command` (RESP, already formatted); `done` runs once, from the loop. Requires
  // accepting().
  void Call(std::string_view command, RedisCallback done) noexcept;

  bool in_flight() const noexcept;
  State state() const noexcept { return state_; }
  // Why the last connection attempt or connection failed ("Connection refused"); empty if none.
  const std::string& last_error() const noexcept { return last_error_; }

 private:
  struct Pending {
    RedisCallback done;
    absl::Time deadline;
  };

  void Connect() noexcept;
  void OnConnected(int res) noexcept;
  void OnRecv(int res) noexcept;
  void OnSent(int res) noexcept;
  void OnTick() noexcept;
  void Flush() noexcept;
  void ArmRecv() noexcept;
  void ArmTick() noexcept;
  // Tears the connection down: the front call gets `front`, the others Unavailable.
  void Close(absl::Status front, std::string_view reason) noexcept;
  void FailAll(std::deque<Pending> calls, absl::Status front, const absl::Status& rest) noexcept;
  // Once no op is in flight: closing → down (backoff armed); stopped → descriptor released.
  void MaybeFinish() noexcept;
  absl::Status Unavailable(std::string_view reason) const;

  Ring& ring_;
  const RedisEndpoint& endpoint_;
  const RedisOptions& options_;
  std::string label_;
  RedisStats& stats_;
  State state_ = State::kDown;
  UniqueFd fd_;
  RedisReplyReader reader_;
  std::deque<Pending> pending_;
  std::string out_;      // commands not yet handed to the kernel
  std::string sending_;  // what send_op_ is sending; stays put until it completes
  size_t sent_ = 0;
  absl::Time connect_deadline_;
  absl::Duration backoff_;
  int consecutive_failures_ = 0;
  std::string last_error_;
  char recv_buffer_[16 * 1024];
  ConnectOp connect_op_;
  SendOp send_op_;
  RecvOp recv_op_;
  TimeoutOp tick_op_;
  TimeoutOp backoff_op_;
  absl::AnyInvocable<void()> on_idle_;  // set by Stop()
};

}  // namespace ringleader
