// RedisConnection: connect, pipelined send and receive, tick-driven call timeouts, teardown and
// reconnect with exponential backoff.
#include "net/redis/redis_connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "core/clock.h"

namespace ringleader {

RedisConnection::RedisConnection(Ring& ring, const RedisEndpoint& endpoint,
                                 const RedisOptions& options, std::string_view label,
                                 RedisStats& stats)
    : ring_(ring),
      endpoint_(endpoint),
      options_(options),
      label_(label),
      stats_(stats),
      reader_({.max_reply_bytes = options.max_reply_bytes,
               .max_array_elements = options.max_array_elements}),
      backoff_(options.backoff_min),
      connect_op_([this](int res, uint32_t) noexcept { OnConnected(res); }),
      send_op_([this](int res, uint32_t) noexcept { OnSent(res); }),
      recv_op_([this](int res, uint32_t) noexcept { OnRecv(res); }),
      tick_op_([this](int, uint32_t) noexcept { OnTick(); }),
      backoff_op_([this](int, uint32_t) noexcept {
        if (state_ == State::kDown) Connect();
        MaybeFinish();
      }) {}

bool RedisConnection::in_flight() const noexcept {
  return connect_op_.in_flight() || send_op_.in_flight() || recv_op_.in_flight() ||
         tick_op_.in_flight() || backoff_op_.in_flight();
}

absl::Status RedisConnection::Unavailable(std::string_view reason) const {
  return absl::UnavailableError(absl::StrCat(Absl(label_), " unavailable: ", Absl(reason)));
}

void RedisConnection::Connect() noexcept {
  state_ = State::kConnecting;
  connect_deadline_ = MonotonicNow() + options_.call_timeout;
  fd_.Reset(::socket(endpoint_.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_) {
    ++stats_.connect_failures;
    return Close(absl::OkStatus(), std::strerror(errno));
  }
  // Pipelined commands are small and latency-bound: never wait for Nagle to batch them.
  const int one = 1;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  connect_op_.Arm(ring_, fd_.get(), reinterpret_cast<const sockaddr*>(&endpoint_.address),
                  endpoint_.length);
  ArmTick();
}

void RedisConnection::OnConnected(int res) noexcept {
  if (state_ != State::kConnecting) return MaybeFinish();
  if (res < 0) {
    ++stats_.connect_failures;
    return Close(absl::OkStatus(), std::strerror(-res));
  }
  state_ = State::kUp;
  ++stats_.connects;
  consecutive_failures_ = 0;
  backoff_ = options_.backoff_min;
  last_error_.clear();
  ArmRecv();
  Flush();  // calls queued while connecting
}

void RedisConnection::Call(std::string_view command, RedisCallback done) noexcept {
  out_.append(command);
  pending_.push_back({std::move(done), MonotonicNow() + options_.call_timeout});
  Flush();
  ArmTick();
}

void RedisConnection::Flush() noexcept {
  if (state_ != State::kUp || send_op_.in_flight()) return;
  if (sending_.empty()) {
    if (out_.empty()) return;
    std::swap(sending_, out_);
    sent_ = 0;
  }
  send_op_.Arm(ring_, fd_.get(), sending_.data() + sent_, sending_.size() - sent_);
}

void RedisConnection::OnSent(int res) noexcept {
  if (state_ != State::kUp) return MaybeFinish();
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return Flush();
    return Close(absl::OkStatus(), std::strerror(-res));
  }
  sent_ += static_cast<size_t>(res);
  if (sent_ == sending_.size()) {
    sending_.clear();
    sent_ = 0;
  }
  Flush();
}

void RedisConnection::ArmRecv() noexcept {
  recv_op_.Arm(ring_, fd_.get(), recv_buffer_, sizeof recv_buffer_);
}

void RedisConnection::OnRecv(int res) noexcept {
  if (state_ != State::kUp) return MaybeFinish();
  if (res == 0) return Close(absl::OkStatus(), "connection closed by the server");
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return ArmRecv();
    return Close(absl::OkStatus(), std::strerror(-res));
  }
  reader_.Feed(std::string_view(recv_buffer_, static_cast<size_t>(res)));
  while (true) {
    absl::StatusOr<std::optional<RedisReply>> next = reader_.Next();
    if (!next.ok()) {
      ++stats_.protocol_errors;
      const std::string reason(next.status().message());
      return Close(std::move(next).status(), reason);
    }
    if (!next->has_value()) break;
    if (pending_.empty()) {
      ++stats_.protocol_errors;
      return Close(absl::OkStatus(), "reply with no call waiting for it");
    }
    RedisCallback done = std::move(pending_.front().done);
    pending_.pop_front();
    ++stats_.replies;
    done(std::move(**next));
    if (state_ != State::kUp) return MaybeFinish();  // the callback stopped the client
  }
  ArmRecv();
}

void RedisConnection::ArmTick() noexcept {
  if (tick_op_.in_flight()) return;
  tick_op_.Arm(ring_, std::max(options_.call_timeout / 4, absl::Milliseconds(1)));
}

void RedisConnection::OnTick() noexcept {
  const absl::Time now = MonotonicNow();
  switch (state_) {
    case State::kConnecting:
      if (now >= connect_deadline_) {
        ++stats_.connect_failures;
        return Close(absl::OkStatus(), "connect timed out");
      }
      return ArmTick();
    case State::kUp:
      if (pending_.empty()) return;
      if (now >= pending_.front().deadline) {
        ++stats_.timeouts;
        return Close(absl::DeadlineExceededError(absl::StrCat(
                         Absl(label_), ": no reply within ",
                         absl::FormatDuration(options_.call_timeout))),
                     "a reply was overdue");
      }
      return ArmTick();
    case State::kClosing:
    case State::kDown:
    case State::kStopped:
      return MaybeFinish();
  }
}

void RedisConnection::Close(absl::Status front, std::string_view reason) noexcept {
  if (state_ != State::kConnecting && state_ != State::kUp) return;
  if (state_ == State::kUp) ++stats_.disconnects;
  ++consecutive_failures_;
  state_ = State::kClosing;
  last_error_ = std::string(reason);
  // The server sees EOF at once; cancelled ops complete promptly.
  if (fd_) ::shutdown(fd_.get(), SHUT_RDWR);
  ring_.Cancel(connect_op_);
  ring_.Cancel(send_op_);
  ring_.Cancel(recv_op_);
  ring_.Cancel(tick_op_);
  out_.clear();  // sending_ stays untouched: the kernel may still be reading it
  reader_.Reset();
  const absl::Status rest = Unavailable(reason);
  FailAll(std::exchange(pending_, {}), front.ok() ? rest : std::move(front), rest);
  MaybeFinish();
}

void RedisConnection::FailAll(std::deque<Pending> calls, absl::Status front,
                              const absl::Status& rest) noexcept {
  stats_.failures += calls.size();
  bool first = true;
  for (Pending& call : calls) {
    call.done(first ? std::move(front) : rest);
    first = false;
  }
}

void RedisConnection::Stop(absl::AnyInvocable<void()> on_idle) noexcept {
  if (state_ == State::kStopped) return;
  state_ = State::kStopped;
  on_idle_ = std::move(on_idle);
  if (fd_) ::shutdown(fd_.get(), SHUT_RDWR);
  ring_.Cancel(connect_op_);
  ring_.Cancel(send_op_);
  ring_.Cancel(recv_op_);
  ring_.Cancel(tick_op_);
  ring_.Cancel(backoff_op_);
  const absl::Status stopped = absl::CancelledError(absl::StrCat(Absl(label_), ": client stopped"));
  FailAll(std::exchange(pending_, {}), stopped, stopped);
  MaybeFinish();
}

void RedisConnection::MaybeFinish() noexcept {
  if (connect_op_.in_flight() || send_op_.in_flight() || recv_op_.in_flight() ||
      tick_op_.in_flight()) {
    return;
  }
  switch (state_) {
    case State::kClosing: {
      ring_.CloseInBackground(std::move(fd_));
      sending_.clear();
      sent_ = 0;
      state_ = State::kDown;
      const absl::Duration delay = backoff_;
      backoff_ = std::min(backoff_ * 2, options_.backoff_max);
      backoff_op_.Arm(ring_, delay);
      return;
    }
    case State::kStopped:
      fd_.Reset();
      if (!backoff_op_.in_flight() && on_idle_) std::exchange(on_idle_, nullptr)();
      return;
    case State::kConnecting:
    case State::kUp:
    case State::kDown:
      return;
  }
}

}  // namespace ringleader
