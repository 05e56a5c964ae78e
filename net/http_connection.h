// HttpConnection: one accepted client socket. Parses requests as bytes arrive, answers them in
// order (pipelining, delayed responses), and closes without losing the peer's last bytes:
// flush → shutdown(SHUT_WR) → read to EOF (bounded by the linger timeout) → close.
// Owned by HttpServer, which keeps closed ones to serve later connections (Open) so a warm
// worker allocates nothing per connection; handed back through Ring::Defer once none of its ops
// is in flight.
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "core/ops.h"
#include "core/unique_fd.h"
#include "net/http_parser.h"
#include "net/http_reply.h"
#include "net/http_response.h"

namespace ringleader {

class HttpServer;

class HttpConnection final : public HttpParser::Sink {
 public:
  explicit HttpConnection(HttpServer& server);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Serves the accepted socket `fd` (owned from here on), from a new or a Reset connection.
  void Open(int fd) noexcept;
  // After its release: back to the state of a new connection, keeping buffers of bounded size.
  void Reset() noexcept;
  // The server drains: close now if idle, else after the response being prepared.
  void BeginDrain() noexcept;
  // Called from the server tick: enforces header, idle and linger deadlines.
  void CheckDeadlines(absl::Time now) noexcept;

  // Intrusive list links, owned by HttpServer.
  HttpConnection* prev = nullptr;
  HttpConnection* next = nullptr;

 private:
  struct Delayed;

  void OnRecv(int res, uint32_t flags) noexcept;
  void OnSent(int res) noexcept;
  void OnShutdown(int res) noexcept;
  void OnExpectContinue() noexcept override;
  AfterRequest OnRequest(HttpRequest& request) noexcept override;
  void Consume(std::string_view bytes) noexcept;
  void PromoteReadyDelayed() noexcept;
  void QueueResponse(HttpResponse response, ResponseFraming framing) noexcept;
  void Flush() noexcept;
  void CloseAfterFlush() noexcept;
  void Abort() noexcept;
  void MaybeRelease() noexcept;
  bool Idle() const noexcept;
  bool AnyOpInFlight() const noexcept;
  bool Backlogged() const noexcept;
  void Hold() noexcept;
  void MaybeResume() noexcept;
  void ArmRecv() noexcept;
  void ReleaseLargeBuffers() noexcept;
  void ArmDeadlineAfterInput() noexcept;
  bool NothingUnread() const noexcept;

  // Backpressure bounds for one connection, checked after every request (see Hold).
  static constexpr size_t kMaxOutboundBacklog = 256 * 1024;
  static constexpr size_t kMaxQueuedResponses = 64;
  // Send buffers above this are given back once sent, so one large answer is not kept.
  static constexpr size_t kRetainedSendBuffer = 64 * 1024;
  // What each buffer of a closed connection kept for reuse may hold on to.
  static constexpr size_t kSpareBuffer = 4 * 1024;

  // The reading side. Held: our answers are not being read, so the receive is cancelled and
  // the bytes already here wait in held_in_ (requests received are still answered, in order).
  enum class Input { kReading, kHeld };

  HttpServer& server_;
  UniqueFd fd_;
  HttpParser parser_;
  ProvidedRecvOp recv_op_;
  SendOp send_op_;
  ShutdownOp shutdown_op_;
  HttpResponse response_;  // reused for every synchronous response
  std::string out_;      // responses not yet handed to the kernel
  std::string sending_;  // bytes in the current send
  size_t sent_ = 0;
  std::deque<std::unique_ptr<Delayed>> delayed_;  // ordered; front blocks later responses
  absl::Time deadline_ = absl::InfiniteFuture();
  enum class Phase { kOpen, kClosing, kLingering, kAborting } phase_ = Phase::kOpen;
  uint64_t header_clock_request_ = 0;  // the request (HttpParser::requests_begun) being timed
  Input input_ = Input::kReading;
  bool peer_finished_ = false;  // the peer's FIN arrived: nothing more will be read
  bool client_closes_ = false;  // the last request asked for "Connection: close" (or HTTP/1.0)
  // The last receive left bytes in the socket, or reading was held: more may wait unread.
  bool more_unread_ = false;
  std::string held_in_;  // bytes received, not yet parsed, while held
  absl::Time last_send_progress_ = absl::InfinitePast();
  bool released_ = false;
};

}  // namespace ringleader
