// Channel: one end of a primary↔worker socketpair, driven by the ring. Receives frames and hands
// each payload to a callback; sends through bounded queues so a stuck peer can never make the
// sender block or grow without limit. A frame may carry one descriptor (SCM_RIGHTS); up to
// kMaxFdsPerSend of them travel in one sendmsg, so handing over many connections costs few sends.
//
// Two lanes: user messages share max_queued_bytes and are dropped when it is full; control
// messages (lifecycle, heartbeats, connection hand-offs) have a budget of their own and go out
// ahead of every user frame not yet started, so a flood of user traffic can neither drop nor
// delay a heartbeat (and get a healthy worker killed by the watchdog). Within a lane, frames keep
// their order.
//
//   Channel channel(ring, std::move(fd), {.max_payload = 64 << 10, .max_queued_bytes = 1 << 20},
//                   {.on_message = [](std::string_view json) { ... },
//                    .on_closed = [](absl::Status why) { ... }});
//   channel.Start();
//   channel.Send(R"({"type":"NOTE"})");      // false: queue full, message dropped (counted)
//   channel.Send(R"({"type":"heartbeat"})", Lane::kControl);   // ahead of queued user frames
//   channel.SendWithFd(R"({"type":"conn"})", std::move(client_fd), Lane::kControl);
//   // receiver, inside on_message for that frame: UniqueFd fd = channel.TakeReceivedFd();
//   channel.Close();   // cancels; on_closed runs once both ops have completed
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/unique_fd.h"
#include "ipc/frame.h"

namespace ringleader {

enum class Lane {
  kUser,     // bounded by max_queued_bytes, in order
  kControl,  // bounded by max_control_bytes, sent before user frames not yet started
};

struct ChannelLimits {
  size_t max_payload = 64 * 1024;         // larger frames are skipped and counted
  size_t max_queued_bytes = 1024 * 1024;  // outbound user backlog, in-flight send included
  // Outbound control backlog: ~3,000 heartbeats, enough for minutes of a peer that reads nothing.
  size_t max_control_bytes = 64 * 1024;
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
  // Queues one framed message on `lane`. False (and counted) when that lane is over its limit or
  // the channel is closed.
  bool Send(std::string_view payload, Lane lane = Lane::kUser) noexcept;
  // Queues a frame carrying `fd` to the peer (the kernel duplicates it; ours is closed once
  // sent). The receiver takes descriptors in the order their frames were queued, one per frame.
  // On false `fd` is left with the caller, to hand to someone else.
  bool SendWithFd(std::string_view payload, UniqueFd&& fd, Lane lane = Lane::kUser) noexcept;
  // The oldest descriptor received and not yet taken (invalid when none).
  UniqueFd TakeReceivedFd() noexcept;
  // While corked, frames queue without being sent; Uncork sends them, as few sendmsg calls as
  // their descriptors allow. A sender queuing many frames in one loop turn corks first.
  void Cork() noexcept { corked_ = true; }
  void Uncork() noexcept;
  bool corked() const noexcept { return corked_; }
  // Stops both directions; on_closed follows once the kernel has released both ops.
  void Close() noexcept { Fail(absl::CancelledError("closed locally")); }

  bool closed() const noexcept { return closing_; }
  uint64_t dropped_sends() const noexcept { return dropped_sends_; }
  uint64_t oversize_frames() const noexcept { return decoder_.oversize_frames(); }
  // Descriptors refused (not accepted, over the cap, or cut off by MSG_CTRUNC).
  uint64_t refused_fds() const noexcept { return refused_fds_; }
  static constexpr size_t kMaxHeldFds = 64;
  static constexpr size_t kMaxFdsPerSend = 32;  // both ends: the receiver's control buffer fits it
  int fd() const noexcept { return fd_.get(); }

 private:
  // Outbound bytes in one send. Its descriptors travel with its first byte; the receiver keeps
  // them in order, so each frame that carries one takes the oldest.
  struct Segment {
    std::string bytes;
    std::vector<UniqueFd> fds;
    Lane lane = Lane::kUser;
  };
  // User frames are appended to a segment up to this size: a control frame waits at most this
  // much behind the segment being sent (frames cannot be interleaved mid-way).
  static constexpr size_t kSegmentBytes = 64 * 1024;

  void ArmRecv() noexcept;
  void OnRecv(int res) noexcept;
  void OnSent(int res) noexcept;
  bool Admit(size_t payload_size, Lane lane) noexcept;
  // The segment of `lane` a frame (with a descriptor or not) is appended to.
  Segment& Tail(Lane lane, bool with_fd) noexcept;
  std::deque<Segment>& Queue(Lane lane) noexcept {
    return lane == Lane::kControl ? control_ : queue_;
  }
  size_t& LaneBytes(Lane lane) noexcept {
    return lane == Lane::kControl ? control_bytes_ : user_bytes_;
  }
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
  alignas(cmsghdr) char recv_control_[CMSG_SPACE(sizeof(int) * kMaxFdsPerSend)];
  iovec recv_iov_{};
  msghdr recv_msg_{};
  std::deque<UniqueFd> received_fds_;
  RecvMsgOp recv_op_;
  SendOp send_op_;
  SendMsgOp sendmsg_op_;
  std::deque<Segment> queue_;  // user frames not yet started, oldest first
  std::deque<Segment> control_;  // control frames not yet started, oldest first
  Segment sending_;            // what the send op hands to the kernel; no bytes when idle
  size_t sent_ = 0;            // bytes of sending_ already sent
  size_t user_bytes_ = 0;      // queued and in flight, per lane
  size_t control_bytes_ = 0;
  iovec send_iov_{};
  msghdr send_msg_{};
  alignas(cmsghdr) char send_control_[CMSG_SPACE(sizeof(int) * kMaxFdsPerSend)];
  uint64_t dropped_sends_ = 0;
  uint64_t refused_fds_ = 0;
  bool closing_ = false;
  bool corked_ = false;
  bool finished_ = false;
  absl::Status close_reason_;
};

}  // namespace ringleader
