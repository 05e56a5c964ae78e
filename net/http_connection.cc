// One client connection: receive → parse → route → ordered responses → batched send → close.
#include "net/http_connection.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>

#include "core/buffer_ring.h"
#include "net/http_server.h"

namespace ringleader {

// A response that waits for a timer (HttpResponse::delay) or for an async handler's answer
// (HttpReply), or a ready one queued behind it. It is framed when it is emitted, so a drain that
// started meanwhile adds "Connection: close".
struct HttpConnection::Delayed {
  explicit Delayed(HttpConnection& c)
      : timer([&c, this](int, uint32_t) noexcept {
          ready = true;
          c.PromoteReadyDelayed();
        }),
        pending([&c, this](HttpResponse&& answer) noexcept {
          response = std::move(answer);
          ready = true;
          if (queued) c.PromoteReadyDelayed();
        }) {}
  TimeoutOp timer;
  PendingReply pending;
  HttpResponse response;
  ResponseFraming framing;
  bool ready = false;
  // In delayed_. Before that, the handler is still running: an answer it gives at once is
  // taken by OnRequest like a synchronous response.
  bool queued = false;
};

HttpConnection::HttpConnection(HttpServer& server)
    : server_(server),
      parser_(server.options().limits, *this),
      recv_op_([this](int res, uint32_t flags) noexcept { OnRecv(res, flags); }),
      send_op_([this](int res, uint32_t) noexcept { OnSent(res); }),
      shutdown_op_([this](int res, uint32_t) noexcept { OnShutdown(res); }) {}

HttpConnection::~HttpConnection() = default;

void HttpConnection::Open(int fd) noexcept {
  fd_.Reset(fd);
  deadline_ = server_.now() + server_.options().idle_timeout;
  // The first receive is one-shot: a short-lived client sends its whole request at once and
  // asks to close, and a one-shot receive then leaves nothing to cancel. OnRecv arms the
  // multishot one if the connection stays open.
  recv_op_.Arm(server_.ring(), fd_.get(), server_.buffers().group(), /*multishot=*/false);
}

void HttpConnection::Reset() noexcept {
  // Every per-connection field, as the constructor leaves it. The ops are idle (released).
  fd_.Reset();
  parser_.Reset();
  response_.Reset();
  out_.clear();
  sending_.clear();
  sent_ = 0;
  delayed_.clear();  // answers still owed to nobody: their handlers' replies go nowhere
  deadline_ = absl::InfiniteFuture();
  phase_ = Phase::kOpen;
  header_clock_request_ = 0;
  input_ = Input::kReading;
  peer_finished_ = false;
  client_closes_ = false;
  more_unread_ = false;
  held_in_.clear();
  last_send_progress_ = absl::InfinitePast();
  released_ = false;
  prev = nullptr;
  next = nullptr;
  ReleaseLargeBuffers();
}

void HttpConnection::ReleaseLargeBuffers() noexcept {
  // A spare keeps what a typical exchange needs, not what its largest one grew.
  for (std::string* buffer : {&out_, &sending_, &held_in_, &response_.body}) {
    if (buffer->capacity() > kSpareBuffer) std::string().swap(*buffer);
  }
}

void HttpConnection::ArmRecv() noexcept {
  recv_op_.Arm(server_.ring(), fd_.get(), server_.buffers().group());
}

bool HttpConnection::Idle() const noexcept {
  return phase_ == Phase::kOpen && !parser_.mid_request() && out_.empty() &&
         sent_ == sending_.size() && delayed_.empty() && held_in_.empty();
}

bool HttpConnection::AnyOpInFlight() const noexcept {
  if (recv_op_.in_flight() || send_op_.in_flight() || shutdown_op_.in_flight()) return true;
  for (const auto& d : delayed_) {
    if (d->timer.in_flight()) return true;
  }
  return false;
}

void HttpConnection::OnRecv(int res, uint32_t flags) noexcept {
  const bool more = (flags & IORING_CQE_F_MORE) != 0;
  if (res > 0 && (flags & IORING_CQE_F_BUFFER) != 0) {
    const uint16_t id = BufferRing::IdOf(flags);
    const std::string_view bytes(server_.buffers().Data(id), static_cast<size_t>(res));
    more_unread_ = (flags & IORING_CQE_F_SOCK_NONEMPTY) != 0;
    if (phase_ == Phase::kOpen && input_ != Input::kReading) {
      held_in_.append(bytes);  // arrived before the hold's cancel took effect
    } else if (phase_ == Phase::kOpen) {
      Consume(bytes);
    }
    server_.buffers().Recycle(id);  // consumed, held, or, while closing, discarded
  }
  if (res == 0 || (res < 0 && res != -ENOBUFS && res != -ECANCELED)) {
    if (res < 0 || phase_ == Phase::kAborting) return Abort();
    // The peer finished sending. Every request it sent before is answered, held ones included
    // (MaybeResume closes after them); then close.
    peer_finished_ = true;
    if (phase_ == Phase::kOpen && input_ == Input::kReading) CloseAfterFlush();
    return MaybeRelease();
  }
  if (!more && (phase_ == Phase::kOpen || phase_ == Phase::kLingering) &&
      input_ == Input::kReading) {
    // The first one-shot receive is done, or the multishot ended (-ENOBUFS when every buffer
    // is in use, or a hold lifted before its cancel landed): arm it again. While closing,
    // CloseAfterFlush arms it only if it has to linger.
    ArmRecv();
  }
  MaybeRelease();
}

bool HttpConnection::Backlogged() const noexcept {
  return out_.size() + (sending_.size() - sent_) > kMaxOutboundBacklog ||
         delayed_.size() >= kMaxQueuedResponses;
}

void HttpConnection::Hold() noexcept {
  // A client that pipelines without reading our answers must not grow us without bound: stop
  // parsing after this request and stop reading until the backlog drains.
  if (input_ != Input::kReading) return;
  input_ = Input::kHeld;
  more_unread_ = true;  // from now on bytes may wait unseen in the socket
  server_.ring().Cancel(recv_op_);
}

void HttpConnection::MaybeResume() noexcept {
  if (input_ == Input::kReading || phase_ != Phase::kOpen || Backlogged()) return;
  input_ = Input::kReading;
  // Read again before parsing what is held: if a held request ends the connection, its
  // lingering close reads from this receive; if they hold again, Hold cancels it. New bytes
  // arrive in later completions, so they still follow the held ones.
  if (!peer_finished_ && !recv_op_.in_flight()) ArmRecv();
  const std::string held = std::move(held_in_);
  held_in_.clear();
  if (!held.empty()) Consume(held);  // may hold again; the unparsed rest returns to held_in_
  // Every request the peer sent before its FIN is answered; then close.
  if (phase_ == Phase::kOpen && input_ == Input::kReading && peer_finished_) CloseAfterFlush();
}

void HttpConnection::ArmDeadlineAfterInput() noexcept {
  // Each request gets its own header timeout, also when one read ends a request and starts
  // the next. Between requests, bytes that start nothing (llhttp skips stray CR/LF) leave the
  // idle deadline where it was: they neither disarm it nor extend it.
  if (parser_.mid_request()) {
    if (header_clock_request_ == parser_.requests_begun()) return;
    header_clock_request_ = parser_.requests_begun();
    deadline_ = server_.now() + server_.options().header_timeout;
  } else if (!Idle()) {
    // Answers are pending: the send-progress check and their timers bound the connection now,
    // and OnSent restarts the idle clock once they are out.
    deadline_ = absl::InfiniteFuture();
  }
}

void HttpConnection::Consume(std::string_view bytes) noexcept {
  const int error_status = parser_.Feed(bytes);
  if (error_status != 0) {
    QueueResponse(ErrorResponse(error_status), {.keep_alive = false});
    phase_ = Phase::kClosing;
  } else if (input_ != Input::kReading) {
    held_in_.append(parser_.held_back());
  }
  ArmDeadlineAfterInput();
  Flush();
  if (phase_ == Phase::kClosing) return CloseAfterFlush();
}

void HttpConnection::OnExpectContinue() noexcept {
  if (delayed_.empty()) out_ += "HTTP/1.1 100 Continue\r\n\r\n";
  Flush();
}

AfterRequest HttpConnection::OnRequest(HttpRequest& request) noexcept {
  server_.CountRequest();
  response_.Reset();
  request.server_draining = server_.draining();
  std::unique_ptr<Delayed> later;
  const Routed routed = server_.router().Route(request, response_, [&] {
    later = std::make_unique<Delayed>(*this);
    return HttpReply(later->pending);
  });
  ResponseFraming framing = FramingFor(request, server_.draining(), server_.date());
  client_closes_ = !request.keep_alive;
  if (routed == Routed::kLater && later->ready) {
    response_ = std::move(later->response);  // answered before the handler returned
    later.reset();
  }
  if (later != nullptr) {
    // Its answer comes from the loop later; responses behind it wait their turn.
    later->framing = framing;
    later->queued = true;
    delayed_.push_back(std::move(later));
  } else if (response_.delay > absl::ZeroDuration()) {
    // Slow path: this response waits for its timer; later ones queue behind it.
    auto entry = std::make_unique<Delayed>(*this);
    entry->framing = framing;
    entry->timer.Arm(server_.ring(), response_.delay);
    entry->response = std::move(response_);
    delayed_.push_back(std::move(entry));
  } else if (!delayed_.empty()) {
    QueueResponse(std::move(response_), framing);
  } else {
    AppendResponse(out_, response_, framing);
  }
  if (!framing.keep_alive) {
    phase_ = Phase::kClosing;
    return AfterRequest::kStop;
  }
  if (!Backlogged()) return AfterRequest::kContinue;
  Hold();
  return AfterRequest::kHold;
}

void HttpConnection::QueueResponse(HttpResponse response, ResponseFraming framing) noexcept {
  if (delayed_.empty()) {
    framing.date = server_.date();
    AppendResponse(out_, response, framing);
    return;
  }
  // Responses leave in request order: behind a delayed one, even an error waits its turn.
  auto entry = std::make_unique<Delayed>(*this);
  entry->framing = framing;
  entry->response = std::move(response);
  entry->ready = true;
  delayed_.push_back(std::move(entry));
}

void HttpConnection::PromoteReadyDelayed() noexcept {
  if (phase_ == Phase::kAborting) return MaybeRelease();
  while (!delayed_.empty() && delayed_.front()->ready && !delayed_.front()->timer.in_flight()) {
    Delayed& d = *delayed_.front();
    if (server_.draining()) d.framing.keep_alive = false;
    d.framing.date = server_.date();
    AppendResponse(out_, d.response, d.framing);
    if (!d.framing.keep_alive) phase_ = Phase::kClosing;
    delayed_.pop_front();
  }
  Flush();
  if (phase_ == Phase::kClosing) return CloseAfterFlush();
  MaybeResume();
}

void HttpConnection::Flush() noexcept {
  if (send_op_.in_flight() || phase_ == Phase::kAborting) return;
  if (sent_ == sending_.size()) {
    if (out_.empty()) return;
    sending_.swap(out_);
    out_.clear();
    sent_ = 0;
  }
  last_send_progress_ = server_.now();
  send_op_.Arm(server_.ring(), fd_.get(), sending_.data() + sent_, sending_.size() - sent_);
}

void HttpConnection::OnSent(int res) noexcept {
  if (phase_ == Phase::kAborting) return MaybeRelease();
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return Flush();
    return Abort();  // EPIPE, ECONNRESET: the peer is gone
  }
  sent_ += static_cast<size_t>(res);
  if (sent_ == sending_.size() && sending_.capacity() > kRetainedSendBuffer) {
    std::string().swap(sending_);
    sent_ = 0;
  }
  Flush();
  if (phase_ == Phase::kClosing) return CloseAfterFlush();
  MaybeResume();
  if (Idle()) {
    deadline_ = server_.now() + server_.options().idle_timeout;
    if (server_.draining()) BeginDrain();
  }
}

void HttpConnection::CloseAfterFlush() noexcept {
  if (phase_ == Phase::kOpen) phase_ = Phase::kClosing;
  if (phase_ != Phase::kClosing) return;
  // No request after this one is answered: what is held is dropped.
  held_in_.clear();
  input_ = Input::kReading;
  // A response still being prepared (a delay) is bounded by the drain timeout, not the linger
  // timeout; bytes waiting for the kernel, or our lingering read, are bounded by the latter.
  deadline_ = delayed_.empty() ? server_.now() + server_.options().linger_timeout
                               : absl::InfiniteFuture();
  // An answer still being prepared may take long: keep reading, so a client that leaves
  // meanwhile is noticed (its reply stops waiting, its slot is freed).
  if (!delayed_.empty() && !peer_finished_ && !recv_op_.in_flight()) ArmRecv();
  if (!out_.empty() || sent_ != sending_.size() || !delayed_.empty()) return;
  // The client's last request ended exactly where its bytes did (it asked for close, or we are
  // draining) and the socket holds nothing unread: close() sends a clean FIN, no lingering
  // read is needed. (Unread bytes would turn close() into a reset that destroys our answers.)
  if (parser_.stopped_at_end() && NothingUnread()) return Abort();
  // Everything is written: send our FIN, keep reading until the peer's (lingering close), so
  // unread bytes from the client never turn our close into a reset that destroys the response.
  phase_ = Phase::kLingering;
  if (!peer_finished_ && !recv_op_.in_flight()) ArmRecv();
  shutdown_op_.Arm(server_.ring(), fd_.get(), SHUT_WR);
}

bool HttpConnection::NothingUnread() const noexcept {
  // A client that asked to close sends nothing after its request, so the last receive's word
  // that the socket held no more (no IORING_CQE_F_SOCK_NONEMPTY) is enough, and saves a
  // syscall on every short connection; nginx trusts its own buffer the same way. When the
  // close is ours (a drain), the client may have sent more meanwhile: ask the kernel.
  if (client_closes_ && !more_unread_) return true;
  int unread = 0;
  return ::ioctl(fd_.get(), FIONREAD, &unread) == 0 && unread == 0;
}

void HttpConnection::OnShutdown(int res) noexcept {
  if (res < 0 && phase_ != Phase::kAborting) return Abort();
  MaybeRelease();
}

void HttpConnection::BeginDrain() noexcept {
  // An idle keep-alive connection gets a short grace: a request already on its way is answered
  // (with "Connection: close") instead of racing our FIN.
  if (Idle()) {
    deadline_ = std::min(deadline_, server_.now() + absl::Milliseconds(500));
  }
}

void HttpConnection::CheckDeadlines(absl::Time now) noexcept {
  // A client that stopped reading our answers: no progress for a keep-alive period is enough.
  if (send_op_.in_flight() && phase_ != Phase::kAborting &&
      now - last_send_progress_ > server_.options().idle_timeout) {
    return Abort();
  }
  if (now < deadline_) return;
  switch (phase_) {
    case Phase::kOpen:
      if (parser_.mid_request()) {
        QueueResponse(ErrorResponse(408), {.keep_alive = false});
        Flush();
      }
      return CloseAfterFlush();
    case Phase::kClosing:
    case Phase::kLingering:
      return Abort();  // the peer neither reads our response nor closes: give up
    case Phase::kAborting:
      return;
  }
}

void HttpConnection::Abort() noexcept {
  if (phase_ != Phase::kAborting) {
    phase_ = Phase::kAborting;
    Ring& ring = server_.ring();
    ring.Cancel(recv_op_);
    ring.Cancel(send_op_);
    ring.Cancel(shutdown_op_);
    for (auto& d : delayed_) ring.Cancel(d->timer);
  }
  MaybeRelease();
}

void HttpConnection::MaybeRelease() noexcept {
  if (released_) return;
  const bool finishing = phase_ == Phase::kAborting ||
                         (phase_ == Phase::kLingering && !shutdown_op_.in_flight());
  if (!finishing || AnyOpInFlight()) return;
  released_ = true;
  // Closed by the ring with the next submission, not by a syscall of its own.
  server_.ring().CloseInBackground(std::move(fd_));
  server_.Release(this);
}

}  // namespace ringleader
