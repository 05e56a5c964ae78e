// HttpServer: accept loop, connection registry, the coarse timeout tick, and draining.
#include "net/http_server.h"

#include <unistd.h>

#include <cerrno>

#include "net/http_connection.h"

namespace ringleader {
namespace {
// Timeouts are checked at this granularity; the Date header is refreshed on the same tick.
constexpr absl::Duration kTick = absl::Milliseconds(250);
}  // namespace

HttpServer::HttpServer(Ring& ring, int listen_fd, Router& router, HttpServerOptions options)
    : ring_(ring),
      listen_fd_(listen_fd),
      router_(router),
      options_(options),
      accept_op_([this](int res, uint32_t flags) noexcept { OnAccept(res, flags); }),
      tick_op_([this](int res, uint32_t) noexcept { OnTick(res); }) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(Ring& ring, int listen_fd,
                                                               Router& router,
                                                               HttpServerOptions options) {
  std::unique_ptr<HttpServer> server(new HttpServer(ring, listen_fd, router, options));
  auto buffers =
      BufferRing::Create(ring, options.buffer_group, options.buffer_count, options.buffer_size);
  if (!buffers.ok()) return buffers.status();
  server->buffers_ = std::move(buffers).value();
  return server;
}

HttpServer::~HttpServer() {
  // Only reached after Drain() finished or when the loop is gone; free what is left.
  for (HttpConnection* list : {connections_, spares_}) {
    while (list != nullptr) {
      HttpConnection* c = list;
      list = c->next;
      delete c;
    }
  }
}

void HttpServer::Start() noexcept {
  ArmAccept();
  ArmTick();
}

void HttpServer::ArmAccept() noexcept {
  if (listen_fd_ >= 0) accept_op_.Arm(ring_, listen_fd_, options_.multishot_accept);
}

void HttpServer::ArmTick() noexcept {
  if (!tick_op_.in_flight()) tick_op_.Arm(ring_, kTick);
}

void HttpServer::AddConnection(int fd) noexcept {
  ++stats_.connections_accepted;
  if (stats_.open_connections >= options_.max_connections || drained_) {
    // Over the limit: close at once rather than leave the client hanging in the backlog.
    ++stats_.connections_refused;
    ::close(fd);
    return;
  }
  HttpConnection* c = spares_;
  if (c != nullptr) {
    spares_ = c->next;
    --spare_count_;
  } else {
    c = new HttpConnection(*this);
  }
  c->next = connections_;
  if (connections_ != nullptr) connections_->prev = c;
  connections_ = c;
  ++stats_.open_connections;
  if (on_count_changed_) on_count_changed_();
  c->Open(fd);
  // Arrived after the drain began (an accept whose cancel lost the race, or a hand-off the
  // primary sent before it knew): serve it, with close.
  if (draining_) c->BeginDrain();
}

void HttpServer::Adopt(int fd) noexcept { AddConnection(fd); }

void HttpServer::HoldDrain(bool hold) noexcept {
  drain_held_ = hold;
  MaybeFinishDrain();
}

void HttpServer::OnAccept(int res, uint32_t flags) noexcept {
  if (res >= 0) AddConnection(res);
  if ((flags & IORING_CQE_F_MORE) == 0) {
    if (draining_) return MaybeFinishDrain();
    // -EMFILE/-ENFILE and friends end the multishot; the tick re-arms it, so no busy loop.
    // -ECANCELED: the tick found it stalled (net/accept_watch.h).
    if (res >= 0 || res == -EINTR || res == -ECONNABORTED || res == -ECANCELED) ArmAccept();
  }
}

void HttpServer::OnTick(int res) noexcept {
  (void)res;
  now_ = MonotonicNow();
  date_.Refresh(absl::Now());
  for (HttpConnection* c = connections_; c != nullptr;) {
    HttpConnection* next = c->next;  // CheckDeadlines may release c
    c->CheckDeadlines(now_);
    c = next;
  }
  if (!draining_ && !accept_op_.in_flight()) ArmAccept();
  if (!draining_ && accept_op_.in_flight() &&
      accept_watch_.Stalled(listen_fd_, stats_.connections_accepted)) {
    ring_.Cancel(accept_op_);  // its completion re-arms it, which accepts what waits
  }
  MaybeFinishDrain();
  if (!drained_) ArmTick();
}

void HttpServer::Release(HttpConnection* c) noexcept {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (connections_ == c) connections_ = c->next;
  --stats_.open_connections;
  if (on_count_changed_) on_count_changed_();
  // After the batch: c may be inside its own completion handler. Like on_drained_, this runs
  // before the owner can see the drain finish, so the server outlives it.
  ring_.Defer([this, c] { Recycle(c); });
  MaybeFinishDrain();
}

void HttpServer::Recycle(HttpConnection* c) noexcept {
  if (spare_count_ >= kMaxSpareConnections) {
    delete c;
    return;
  }
  c->Reset();
  c->next = spares_;
  spares_ = c;
  ++spare_count_;
}

void HttpServer::Drain(absl::AnyInvocable<void()> on_drained) noexcept {
  if (draining_) return;
  draining_ = true;
  on_drained_ = std::move(on_drained);
  // Cancel our accept only: shutdown() on the shared listener would stop every worker.
  ring_.Cancel(accept_op_);
  for (HttpConnection* c = connections_; c != nullptr; c = c->next) c->BeginDrain();
  MaybeFinishDrain();
}

void HttpServer::MaybeFinishDrain() noexcept {
  if (!draining_ || drained_ || drain_held_ || connections_ != nullptr || accept_op_.in_flight()) {
    return;
  }
  // The tick must have completed too before the owner may tear everything down.
  if (tick_op_.in_flight()) return ring_.Cancel(tick_op_);
  drained_ = true;
  if (on_drained_) ring_.Defer([this] { on_drained_(); });
}

}  // namespace ringleader
