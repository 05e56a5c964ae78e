// The two-way link between a handler's HttpReply and the connection's PendingReply.
#include "net/http_reply.h"

#include <utility>

namespace ringleader {

PendingReply::~PendingReply() {
  if (reply_ != nullptr) reply_->pending_ = nullptr;
}

HttpReply::HttpReply(PendingReply& pending) noexcept : pending_(&pending) {
  pending.reply_ = this;
}

HttpReply::HttpReply(HttpReply&& other) noexcept : pending_(std::exchange(other.pending_, nullptr)) {
  if (pending_ != nullptr) pending_->reply_ = this;
}

HttpReply& HttpReply::operator=(HttpReply&& other) noexcept {
  if (this == &other) return *this;
  if (pending_ != nullptr) Send(ErrorResponse(500));
  pending_ = std::exchange(other.pending_, nullptr);
  if (pending_ != nullptr) pending_->reply_ = this;
  return *this;
}

HttpReply::~HttpReply() {
  // A handler that lost its reply (a dropped callback) must still answer the client.
  if (pending_ != nullptr) Send(ErrorResponse(500));
}

void HttpReply::Detach() noexcept {
  pending_->reply_ = nullptr;
  pending_ = nullptr;
}

void HttpReply::Send(HttpResponse response) noexcept {
  if (pending_ == nullptr) return;
  PendingReply& pending = *pending_;
  Detach();
  pending.deliver_(std::move(response));
}

}  // namespace ringleader
