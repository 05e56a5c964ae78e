// Channel: one end of a primary↔worker socketpair, driven by the ring. Receives frames and hands
// each payload to a callback; sends through a bounded queue so a stuck peer can never make the
// sender block or grow without limit.
//
//   Channel channel(ring, std::move(fd), {.max_payload = 64 << 10, .max_queued_bytes = 1 << 20},
//                   {.on_message = [](std::string_view json) { ... },
//                    .on_closed = [](absl::Status why) { ... }});
//   channel.Start();
//   channel.Send(R"({"type":"online"})");   // false: queue full, message dropped (counted)
//   channel.Close();   // cancels; on_closed runs once both ops have completed
#pragma once

#include <cstddef>
#include <cstdint>
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
  size_t max_payload = 64 * 1024;
  size_t max_queued_bytes = 1024 * 1024;
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
  // Stops both directions; on_closed follows once the kernel has released both ops.
  void Close() noexcept { Fail(absl::CancelledError("closed locally")); }

  bool closed() const noexcept { return closing_; }
  uint64_t dropped_sends() const noexcept { return dropped_sends_; }
  int fd() const noexcept { return fd_.get(); }

 private:
  void OnRecv(int res) noexcept;
  void OnSent(int res) noexcept;
  void Flush() noexcept;
  void Fail(absl::Status why) noexcept;
  void MaybeFinish() noexcept;

  Ring& ring_;
  UniqueFd fd_;
  ChannelLimits limits_;
  ChannelCallbacks callbacks_;
  FrameDecoder decoder_;
  char recv_buffer_[16 * 1024];
  RecvOp recv_op_;
  SendOp send_op_;
  std::string queued_;    // framed bytes waiting for the send op
  std::string sending_;   // bytes the kernel is sending now
  size_t sending_offset_ = 0;
  uint64_t dropped_sends_ = 0;
  bool closing_ = false;
  bool finished_ = false;
  absl::Status close_reason_;
};

}  // namespace ringleader
