// Channel: receive loop, bounded send queue, and an orderly close that waits for the kernel.
#include "ipc/channel.h"

#include <sys/socket.h>

#include <cerrno>

#include "core/status.h"

namespace ringleader {

Channel::Channel(Ring& ring, UniqueFd fd, ChannelLimits limits, ChannelCallbacks callbacks)
    : ring_(ring),
      fd_(std::move(fd)),
      limits_(limits),
      callbacks_(std::move(callbacks)),
      decoder_(limits.max_payload),
      recv_op_([this](int res, uint32_t) noexcept { OnRecv(res); }),
      send_op_([this](int res, uint32_t) noexcept { OnSent(res); }) {}

void Channel::Start() noexcept { recv_op_.Arm(ring_, fd_.get(), recv_buffer_, sizeof recv_buffer_); }

void Channel::OnRecv(int res) noexcept {
  if (closing_) return MaybeFinish();
  if (res == 0) return Fail(absl::UnavailableError("peer closed the channel"));
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return Start();
    return Fail(ErrnoStatus(-res, "channel recv"));
  }
  decoder_.Feed(std::string_view(recv_buffer_, static_cast<size_t>(res)));
  while (auto frame = decoder_.Next()) {
    callbacks_.on_message(*frame);
    if (closing_) return MaybeFinish();  // the handler may close us
  }
  if (decoder_.corrupt()) return Fail(absl::DataLossError("frame over the size limit"));
  Start();
}

bool Channel::Send(std::string_view payload) noexcept {
  if (closing_ || queued_.size() + payload.size() + kFrameHeaderBytes > limits_.max_queued_bytes) {
    ++dropped_sends_;
    return false;
  }
  AppendFrame(queued_, payload);
  Flush();
  return true;
}

void Channel::Flush() noexcept {
  if (send_op_.in_flight() || closing_) return;
  if (sending_offset_ == sending_.size()) {
    if (queued_.empty()) return;
    sending_.swap(queued_);
    queued_.clear();
    sending_offset_ = 0;
  }
  send_op_.Arm(ring_, fd_.get(), sending_.data() + sending_offset_,
               sending_.size() - sending_offset_);
}

void Channel::OnSent(int res) noexcept {
  if (closing_) return MaybeFinish();
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return Flush();
    return Fail(ErrnoStatus(-res, "channel send"));
  }
  sending_offset_ += static_cast<size_t>(res);
  Flush();
}

void Channel::Fail(absl::Status why) noexcept {
  if (closing_) return;
  closing_ = true;
  close_reason_ = std::move(why);
  ring_.Cancel(recv_op_);
  ring_.Cancel(send_op_);
  MaybeFinish();
}

void Channel::MaybeFinish() noexcept {
  if (finished_ || recv_op_.in_flight() || send_op_.in_flight()) return;
  finished_ = true;
  // Deferred: on_closed may destroy this channel, which must not happen inside our own op.
  ring_.Defer([this]() { callbacks_.on_closed(close_reason_); });
}

}  // namespace ringleader
