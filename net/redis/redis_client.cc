// RedisClient: the pool, the choice of connection for each call, and the fail-fast paths.
#include "net/redis/redis_client.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "net/redis/redis_command.h"

namespace ringleader {

RedisClient::RedisClient(RedisOptions options)
    : options_(std::move(options)),
      label_(absl::StrCat("redis ", Absl(options_.host), ":", options_.port)) {}

RedisClient::~RedisClient() {
  // Destroying a connection with an op in flight would be a use-after-free in the kernel; the
  // ops' own destructors abort, this says why first.
  if (in_flight()) std::abort();
  const absl::Status never = absl::UnavailableError(absl::StrCat(Absl(label_), ": never started"));
  for (RedisCallback& done : std::exchange(before_start_, {})) done(never);
}

void RedisClient::Start(Ring& ring) noexcept {
  if (state_ != State::kCreated) return;
  state_ = State::kRunning;
  ring_ = &ring;
  if (absl::StatusOr<RedisEndpoint> endpoint = RedisEndpointOf(options_); endpoint.ok()) {
    endpoint_ = *endpoint;
    for (int i = 0; i < options_.connections; ++i) {
      pool_.push_back(
          std::make_unique<RedisConnection>(ring, endpoint_, options_, label_, stats_));
      pool_.back()->Start();
    }
  } else {
    endpoint_status_ = absl::UnavailableError(
        absl::StrCat(Absl(label_), " unavailable: ", endpoint.status().message()));
  }
  const absl::Status early =
      absl::UnavailableError(absl::StrCat(Absl(label_), ": called before the client started"));
  for (RedisCallback& done : std::exchange(before_start_, {})) FailLater(early, std::move(done));
}

void RedisClient::Stop(absl::AnyInvocable<void()> on_idle) noexcept {
  if (state_ == State::kStopped) {
    if (on_idle && in_flight()) on_idle_ = std::move(on_idle);  // the latest caller is told
    return;
  }
  const bool started = state_ == State::kRunning;
  state_ = State::kStopped;
  on_idle_ = std::move(on_idle);
  for (auto& connection : pool_) {
    connection->Stop([this] {
      if (!in_flight() && on_idle_) std::exchange(on_idle_, nullptr)();
    });
  }
  if (!started) {  // no loop to defer to: the callbacks run here
    const absl::Status stopped = absl::CancelledError(absl::StrCat(Absl(label_), ": stopped"));
    for (RedisCallback& done : std::exchange(before_start_, {})) done(stopped);
  }
}

bool RedisClient::in_flight() const noexcept {
  for (const auto& connection : pool_) {
    if (connection->in_flight()) return true;
  }
  return false;
}

bool RedisClient::connected() const noexcept {
  for (const auto& connection : pool_) {
    if (connection->state() == RedisConnection::State::kUp) return true;
  }
  return false;
}

void RedisClient::FailLater(absl::Status why, RedisCallback done) noexcept {
  ++stats_.failures;
  ring_->Defer([why = std::move(why), done = std::move(done)]() mutable { done(std::move(why)); });
}

absl::Status RedisClient::WhyUnavailable() const {
  if (!endpoint_status_.ok()) return endpoint_status_;
  for (const auto& connection : pool_) {
    if (!connection->last_error().empty()) {
      return absl::UnavailableError(
          absl::StrCat(Absl(label_), " unavailable: ", Absl(connection->last_error())));
    }
  }
  return absl::UnavailableError(absl::StrCat(Absl(label_), " unavailable: not connected"));
}

void RedisClient::Call(std::span<const std::string_view> args, RedisCallback done) noexcept {
  ++stats_.calls;
  switch (state_) {
    case State::kCreated:
      ++stats_.failures;
      before_start_.push_back(std::move(done));
      return;
    case State::kStopped:
      if (ring_ == nullptr) {  // stopped before it started: no loop will ever run for us
        ++stats_.failures;
        before_start_.push_back(std::move(done));
        return;
      }
      return FailLater(absl::UnavailableError(absl::StrCat(Absl(label_), ": client stopped")),
                       std::move(done));
    case State::kRunning:
      break;
  }
  command_.clear();
  if (!AppendRedisCommand(command_, args)) {
    return FailLater(absl::InvalidArgumentError("redis call without a command"), std::move(done));
  }
  // The least loaded connection, preferring one that is up over one still connecting.
  const auto load = [](const RedisConnection& c) {
    return std::pair(c.state() != RedisConnection::State::kUp, c.pending());
  };
  RedisConnection* best = nullptr;
  bool any_accepting = false;
  for (const auto& connection : pool_) {
    if (!connection->accepting()) continue;
    any_accepting = true;
    if (connection->pending() >= options_.max_pending_per_connection) continue;
    if (best == nullptr || load(*connection) < load(*best)) best = connection.get();
  }
  if (best != nullptr) return best->Call(command_, std::move(done));
  if (!any_accepting) return FailLater(WhyUnavailable(), std::move(done));
  FailLater(absl::ResourceExhaustedError(absl::StrCat(
                Absl(label_), ": pipeline full (", options_.max_pending_per_connection,
                " calls pending on every connection)")),
            std::move(done));
}

}  // namespace ringleader
