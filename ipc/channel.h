// Channel: one end of a primary↔worker socketpair, driven by the ring. Receives frames and hands
// each payload to a callback; sends through a bounded queue so a stuck peer can never make the
// sender block or grow without limit. A frame may carry one descriptor (SCM_RIGHTS).
//
//   Channel channel(ring, std::move(fd), {.max_payload = 64 << 10, .max_queued_bytes = 1 << 20},
//                   {.on_message = [](std::string_view json) { ... },
//                    .on_closed = [](absl::Status why) { ... }});
//   channel.Start();
//   channel.Send(R"({"type":"online"})");   // false: queue full, message dropped (counted)
//   channel.SendWithFd(R"({"type":"conn"})", std::move(client_fd));
//   // receiver, inside on_message for that frame: UniqueFd fd = channel.TakeReceivedFd();
//   channel.Close();   // cancels; on_closed runs once both ops have completed
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/unique_fd.h"
#include "ipc/frame.h"

namespace ringleader {

struct ChannelLimits {
  size_t max_payload = 64 * 1024;         // larger frames are skipped and counted
  size_t max_queued_bytes = 1024 * 1024;  // outbound backlog, in-flight send included
  // Keep descriptors the peer sends (SCM_RIGHTS) for TakeReceivedFd(); otherwise they are
  // closed on arrival, so a peer cannot make us hold descriptors. At most kMaxHeldFds are held.
  bool accept_fds = false;
};

struct ChannelCallbacks {
  absl::AnyInvocable<void(std::string_view payload)> on_message;
  // Runs once, after the peer closed, a framing error, or Close(), when no op is in flight.
  absl::AnyInvocable<void(absl::Status why)> on_closed;
};

class Channel {
 public:
  Channel(Ring& ring, UniqueFd fd, ChannelLimits limits, ChannelCallbacks callbacks);
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;
  ~Channel() = default;

  void Start() noexcept;
  // Queues one framed message. False (and counted) when the queue is over its limit or closed.
  bool Send(std::string_view payload) noexcept;
  // Queues a frame whose first byte carries `fd` to the peer (the kernel duplicates it).
  bool SendWithFd(std::string_view payload, UniqueFd fd) noexcept;
  // The oldest descriptor received and not yet taken (invalid when none).
  UniqueFd TakeReceivedFd() noexcept;
  // Stops both directions; on_closed follows once the kernel has released both ops.
  void Close() noexcept { Fail(absl::CancelledError("closed locally")); }

  bool closed() const noexcept { return closing_; }
  uint64_t dropped_sends() const noexcept { return dropped_sends_; }
  uint64_t oversize_frames() const noexcept { return decoder_.oversize_frames(); }
  // Descriptors refused (not accepted, over the cap, or cut off by MSG_CTRUNC).
  uint64_t refused_fds() const noexcept { return refused_fds_; }
  static constexpr size_t kMaxHeldFds = 64;
  int fd() const noexcept { return fd_.get(); }

 private:
  // Outbound bytes; a segment with a descriptor is sent alone so the fd lands on its frame.
  struct Segment {
    std::string bytes;
    UniqueFd fd;
  };

  void ArmRecv() noexcept;
  void OnRecv(int res) noexcept;
  void OnSent(int res) noexcept;
  void Flush() noexcept;
  void Fail(absl::Status why) noexcept;
  void MaybeFinish() noexcept;
  void CollectFds() noexcept;

  Ring& ring_;
  UniqueFd fd_;
  ChannelLimits limits_;
  ChannelCallbacks callbacks_;
  FrameDecoder decoder_;
  char recv_buffer_[16 * 1024];
  alignas(cmsghdr) char recv_control_[CMSG_SPACE(sizeof(int) * 4)];
  iovec recv_iov_{};
  msghdr recv_msg_{};
  std::deque<UniqueFd> received_fds_;
  RecvMsgOp recv_op_;
  SendOp send_op_;
  SendMsgOp sendmsg_op_;
  std::deque<Segment> queue_;
  size_t sent_ = 0;  // bytes of queue_.front() already sent
  size_t queued_bytes_ = 0;
  iovec send_iov_{};
  msghdr send_msg_{};
  alignas(cmsghdr) char send_control_[CMSG_SPACE(sizeof(int))];
  uint64_t dropped_sends_ = 0;
  uint64_t refused_fds_ = 0;
  bool closing_ = false;
  bool finished_ = false;
  absl::Status close_reason_;
};

}  // namespace ringleader
