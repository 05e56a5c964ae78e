// The concrete io_uring operations ringleader uses, each a pinned Op with a completion callback.
//
//   TimeoutOp tick([this](int res, uint32_t) noexcept { if (res == -ETIME) OnTick(); });
//   tick.Arm(ring, absl::Milliseconds(100));
//
//   RecvOp recv([this](int res, uint32_t) noexcept { OnBytes(res); });
//   recv.Arm(ring, fd, buffer, sizeof buffer);
//
// Each op stores its own parameters (timespec, buffer pointers) because the kernel may read them
// after Arm() returns. The callback runs for every completion; with multishot ops it runs once
// per CQE, and in_flight() tells whether more will come.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "core/op.h"
#include "core/ring.h"

namespace ringleader {

using Completion = absl::AnyInvocable<void(int res, uint32_t flags) noexcept>;

// Base for ops whose completion is a callback chosen by the owner.
class CallbackOp : public Op {
 public:
  explicit CallbackOp(Completion on_complete) : on_complete_(std::move(on_complete)) {}

 protected:
  void OnComplete(int res, uint32_t flags) noexcept override { on_complete_(res, flags); }

 private:
  Completion on_complete_;
};

// accept on a listening socket; multishot (one CQE per connection until the kernel ends it) or
// one connection per Arm().
class AcceptOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int listen_fd, bool multishot) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  bool multishot_ = true;
};

// Single-shot recv into a caller-owned buffer.
class RecvOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, char* buffer, size_t length) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  char* buffer_ = nullptr;
  size_t length_ = 0;
};

// recv that picks its buffer from a provided buffer ring (see BufferRing): multishot (one CQE
// per arrival until cancelled or out of buffers) or one receive per Arm(). Each data CQE says,
// with IORING_CQE_F_SOCK_NONEMPTY, whether the socket still held bytes after it.
class ProvidedRecvOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, uint16_t buffer_group, bool multishot = true) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  uint16_t group_ = 0;
  bool multishot_ = true;
};

// send(MSG_NOSIGNAL) of a caller-owned buffer that must stay put until completion.
class SendOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, const char* data, size_t length) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  const char* data_ = nullptr;
  size_t length_ = 0;
};

// sendmsg, for scatter-gather sends and descriptor passing; `message` must stay put.
class SendMsgOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, const msghdr* message) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  const msghdr* message_ = nullptr;
};

// A msghdr over one data buffer and an optional control buffer, for SendMsgOp and RecvMsgOp. It
// points at `iov`, which (like both buffers) must stay put until the op completes.
inline msghdr OneBufferMessage(iovec& iov, void* data, size_t length, void* control = nullptr,
                               size_t control_length = 0) noexcept {
  iov = {data, length};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = control_length;
  return message;
}

// recvmsg into a caller-owned msghdr (data plus ancillary data such as SCM_RIGHTS).
class RecvMsgOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, msghdr* message) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  msghdr* message_ = nullptr;
};

// read() into a caller-owned buffer (signalfd, eventfd).
class ReadOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, void* buffer, unsigned length) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  void* buffer_ = nullptr;
  unsigned length_ = 0;
};

// write() at the file position (offset -1): appends when the file has O_APPEND.
class WriteOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, const char* data, unsigned length) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  const char* data_ = nullptr;
  unsigned length_ = 0;
};

// One-shot poll for readiness (a pidfd turns readable when its process exits).
class PollOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, unsigned poll_mask) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  unsigned mask_ = 0;
};

// A relative timer: completes with -ETIME when it fires, -ECANCELED when cancelled.
class TimeoutOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, absl::Duration after) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  __kernel_timespec spec_{};
};

// connect(2) of a non-blocking or blocking socket: completes with 0 once connected, or a negative
// errno (-ECONNREFUSED, -ETIMEDOUT...). The address is copied, so the caller's may go away.
class ConnectOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, const sockaddr* address, socklen_t length) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  sockaddr_storage address_{};
  socklen_t length_ = 0;
};

// shutdown(2) through the ring (half-close of a connection).
class ShutdownOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring, int fd, int how) noexcept;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override;
  int fd_ = -1;
  int how_ = 0;
};

}  // namespace ringleader
