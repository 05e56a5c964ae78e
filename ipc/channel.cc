// Channel: receive loop with descriptor collection, bounded two-lane send queue, orderly close.
#include "ipc/channel.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/status.h"

namespace ringleader {

Channel::Channel(Ring& ring, UniqueFd fd, ChannelLimits limits, ChannelCallbacks callbacks)
    : ring_(ring),
      fd_(std::move(fd)),
      limits_(limits),
      callbacks_(std::move(callbacks)),
      decoder_(limits.max_payload),
      recv_op_([this](int res, uint32_t) noexcept { OnRecv(res); }),
      send_op_([this](int res, uint32_t) noexcept { OnSent(res); }),
      sendmsg_op_([this](int res, uint32_t) noexcept { OnSent(res); }) {}

void Channel::Start() noexcept { ArmRecv(); }

void Channel::ArmRecv() noexcept {
  recv_msg_ = OneBufferMessage(recv_iov_, recv_buffer_, sizeof recv_buffer_, recv_control_,
                               sizeof recv_control_);
  recv_op_.Arm(ring_, fd_.get(), &recv_msg_);
}

void Channel::CollectFds() noexcept {
  // The kernel drops descriptors that did not fit the control buffer; count them.
  if ((recv_msg_.msg_flags & MSG_CTRUNC) != 0) ++refused_fds_;
  for (cmsghdr* c = CMSG_FIRSTHDR(&recv_msg_); c != nullptr; c = CMSG_NXTHDR(&recv_msg_, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received;
      std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof received);
      UniqueFd fd(received);  // closed here unless kept
      if (!limits_.accept_fds || closing_ || received_fds_.size() >= kMaxHeldFds) {
        ++refused_fds_;
        continue;
      }
      received_fds_.push_back(std::move(fd));
    }
  }
}

UniqueFd Channel::TakeReceivedFd() noexcept {
  if (received_fds_.empty()) return UniqueFd();
  UniqueFd fd = std::move(received_fds_.front());
  received_fds_.pop_front();
  return fd;
}

void Channel::OnRecv(int res) noexcept {
  if (res > 0) CollectFds();  // even while closing: descriptors must not leak
  if (closing_) return MaybeFinish();
  if (res == 0) return Fail(absl::UnavailableError("peer closed the channel"));
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return ArmRecv();
    return Fail(ErrnoStatus(-res, "channel recv"));
  }
  decoder_.Feed(std::string_view(recv_buffer_, static_cast<size_t>(res)));
  while (auto frame = decoder_.Next()) {
    callbacks_.on_message(*frame);
    if (closing_) return MaybeFinish();  // the handler may close us
  }
  if (decoder_.corrupt()) return Fail(absl::DataLossError("frame without the magic byte"));
  ArmRecv();
}

bool Channel::Admit(size_t payload_size, Lane lane) noexcept {
  const size_t frame = payload_size + kFrameHeaderBytes;
  const size_t limit =
      lane == Lane::kControl ? limits_.max_control_bytes : limits_.max_queued_bytes;
  size_t& used = LaneBytes(lane);
  if (closing_ || used + frame > limit) {
    ++dropped_sends_;
    return false;
  }
  used += frame;
  return true;
}

Channel::Segment& Channel::Tail(Lane lane, bool with_fd) noexcept {
  std::deque<Segment>& queue = Queue(lane);
  // A new segment when the last is large or its descriptors are full (one sendmsg each).
  if (queue.empty() || queue.back().bytes.size() >= kSegmentBytes ||
      (with_fd && queue.back().fds.size() >= kMaxFdsPerSend)) {
    queue.push_back(Segment{.lane = lane});
  }
  return queue.back();
}

bool Channel::Send(std::string_view payload, Lane lane) noexcept {
  if (!Admit(payload.size(), lane)) return false;
  AppendFrame(Tail(lane, false).bytes, payload);
  Flush();
  return true;
}

bool Channel::SendWithFd(std::string_view payload, UniqueFd&& fd, Lane lane) noexcept {
  if (!Admit(payload.size(), lane)) return false;
  Segment& s = Tail(lane, true);
  AppendFrame(s.bytes, payload);
  s.fds.push_back(std::move(fd));
  Flush();
  return true;
}

void Channel::Uncork() noexcept {
  corked_ = false;
  Flush();
}

void Channel::Flush() noexcept {
  if (send_op_.in_flight() || sendmsg_op_.in_flight() || closing_ || corked_) return;
  if (sending_.bytes.empty()) {
    // Between segments: control first, so it never waits behind queued user traffic.
    std::deque<Segment>& queue = control_.empty() ? queue_ : control_;
    if (queue.empty()) return;
    sending_ = std::move(queue.front());
    queue.pop_front();
    sent_ = 0;
  }
  const char* data = sending_.bytes.data() + sent_;
  const size_t length = sending_.bytes.size() - sent_;
  if (sending_.fds.empty()) return send_op_.Arm(ring_, fd_.get(), data, length);
  const size_t fd_bytes = sizeof(int) * sending_.fds.size();
  send_msg_ = OneBufferMessage(send_iov_, const_cast<char*>(data), length, send_control_,
                               CMSG_SPACE(fd_bytes));
  cmsghdr* c = CMSG_FIRSTHDR(&send_msg_);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(fd_bytes);
  for (size_t i = 0; i < sending_.fds.size(); ++i) {
    const int raw = sending_.fds[i].get();
    std::memcpy(CMSG_DATA(c) + i * sizeof(int), &raw, sizeof raw);
  }
  sendmsg_op_.Arm(ring_, fd_.get(), &send_msg_);
}

void Channel::OnSent(int res) noexcept {
  // Delivered with the first byte (the rest goes as plain bytes).
  if (res > 0) {
    for (UniqueFd& fd : sending_.fds) ring_.CloseInBackground(std::move(fd));
    sending_.fds.clear();
  }
  if (closing_) return MaybeFinish();
  if (res < 0) {
    if (res == -EINTR || res == -EAGAIN) return Flush();
    return Fail(ErrnoStatus(-res, "channel send"));
  }
  sent_ += static_cast<size_t>(res);
  LaneBytes(sending_.lane) -= static_cast<size_t>(res);
  if (sent_ == sending_.bytes.size()) {
    sending_.bytes.clear();
    sent_ = 0;
  }
  Flush();
}

void Channel::Fail(absl::Status why) noexcept {
  if (closing_) return;
  closing_ = true;
  close_reason_ = std::move(why);
  // The peer learns at once (EOF), not when this end is destroyed: it may be waiting for a
  // message that will now never come.
  ::shutdown(fd_.get(), SHUT_RDWR);
  ring_.Cancel(recv_op_);
  ring_.Cancel(send_op_);
  ring_.Cancel(sendmsg_op_);
  MaybeFinish();
}

void Channel::MaybeFinish() noexcept {
  if (finished_ || recv_op_.in_flight() || send_op_.in_flight() || sendmsg_op_.in_flight()) {
    return;
  }
  finished_ = true;
  // Deferred: on_closed may destroy this channel, which must not happen inside our own op.
  ring_.Defer([this]() { callbacks_.on_closed(close_reason_); });
}

}  // namespace ringleader
