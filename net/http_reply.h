// HttpReply: an answer a handler gives later, after work on the loop (a Redis call, a message
// from another worker), instead of filling the response before it returns.
//
//   router.HandleAsync("GET", "/session", [&redis](const HttpRequest& req, HttpReply reply) {
//     redis.Call({"GET", "k"}, [reply = std::move(reply)](auto result) mutable {
//       HttpResponse res;
//       res.Json(200, "{}");
//       reply.Send(std::move(res));
//     });
//   });
//
// Exactly one answer per request: Send() once; a reply destroyed unsent answers 500, so no
// request is ever left hanging. The request itself is reused once the handler returns: copy
// what the answer needs. Answers still leave in request order (a later pipelined response waits
// behind an unanswered one). If the client has gone meanwhile, Send() does nothing.
#pragma once

#include "absl/functional/any_invocable.h"
#include "net/http_response.h"

namespace ringleader {

class HttpReply;

// The connection's end of an HttpReply. The two point at each other until either goes, so
// neither outliving the other leaves a dangling pointer.
class PendingReply {
 public:
  using Deliver = absl::AnyInvocable<void(HttpResponse&& response) noexcept>;
  explicit PendingReply(Deliver deliver) : deliver_(std::move(deliver)) {}
  ~PendingReply();
  PendingReply(const PendingReply&) = delete;
  PendingReply& operator=(const PendingReply&) = delete;

 private:
  friend class HttpReply;
  Deliver deliver_;
  HttpReply* reply_ = nullptr;
};

class HttpReply {
 public:
  HttpReply() = default;  // answers nowhere
  explicit HttpReply(PendingReply& pending) noexcept;
  HttpReply(HttpReply&& other) noexcept;
  HttpReply& operator=(HttpReply&& other) noexcept;
  HttpReply(const HttpReply&) = delete;
  HttpReply& operator=(const HttpReply&) = delete;
  ~HttpReply();

  // Answers the request. Only the first answer counts; later calls do nothing.
  void Send(HttpResponse response) noexcept;
  // False once answered or once the connection has gone.
  bool waiting() const noexcept { return pending_ != nullptr; }

 private:
  friend class PendingReply;
  void Detach() noexcept;
  PendingReply* pending_ = nullptr;
};

}  // namespace ringleader
