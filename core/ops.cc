// Prep() of every concrete op: the only place that knows each op's SQE layout.
#include "core/ops.h"

#include <poll.h>

#include <algorithm>
#include <cstring>

namespace ringleader {

void AcceptOp::Arm(Ring& ring, int listen_fd, bool multishot) noexcept {
  fd_ = listen_fd;
  multishot_ = multishot;
  ring.Start(*this);
}
void AcceptOp::Prep(io_uring_sqe* sqe) noexcept {
  if (multishot_) {
    io_uring_prep_multishot_accept(sqe, fd_, nullptr, nullptr, SOCK_CLOEXEC);
  } else {
    io_uring_prep_accept(sqe, fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }
}

void RecvOp::Arm(Ring& ring, int fd, char* buffer, size_t length) noexcept {
  fd_ = fd;
  buffer_ = buffer;
  length_ = length;
  ring.Start(*this);
}
void RecvOp::Prep(io_uring_sqe* sqe) noexcept { io_uring_prep_recv(sqe, fd_, buffer_, length_, 0); }

void ProvidedRecvOp::Arm(Ring& ring, int fd, uint16_t buffer_group, bool multishot) noexcept {
  fd_ = fd;
  group_ = buffer_group;
  multishot_ = multishot;
  ring.Start(*this);
}
void ProvidedRecvOp::Prep(io_uring_sqe* sqe) noexcept {
  if (multishot_) {
    io_uring_prep_recv_multishot(sqe, fd_, nullptr, 0, 0);
  } else {
    io_uring_prep_recv(sqe, fd_, nullptr, 0, 0);
  }
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = group_;
}

void SendOp::Arm(Ring& ring, int fd, const char* data, size_t length) noexcept {
  fd_ = fd;
  data_ = data;
  length_ = length;
  ring.Start(*this);
}
void SendOp::Prep(io_uring_sqe* sqe) noexcept {
  io_uring_prep_send(sqe, fd_, data_, length_, MSG_NOSIGNAL);
}

void SendMsgOp::Arm(Ring& ring, int fd, const msghdr* message) noexcept {
  fd_ = fd;
  message_ = message;
  ring.Start(*this);
}
void SendMsgOp::Prep(io_uring_sqe* sqe) noexcept {
  io_uring_prep_sendmsg(sqe, fd_, message_, MSG_NOSIGNAL);
}

void RecvMsgOp::Arm(Ring& ring, int fd, msghdr* message) noexcept {
  fd_ = fd;
  message_ = message;
  ring.Start(*this);
}
void RecvMsgOp::Prep(io_uring_sqe* sqe) noexcept {
  io_uring_prep_recvmsg(sqe, fd_, message_, MSG_CMSG_CLOEXEC);
}

void ReadOp::Arm(Ring& ring, int fd, void* buffer, unsigned length) noexcept {
  fd_ = fd;
  buffer_ = buffer;
  length_ = length;
  ring.Start(*this);
}
void ReadOp::Prep(io_uring_sqe* sqe) noexcept { io_uring_prep_read(sqe, fd_, buffer_, length_, 0); }

void WriteOp::Arm(Ring& ring, int fd, const char* data, unsigned length) noexcept {
  fd_ = fd;
  data_ = data;
  length_ = length;
  ring.Start(*this);
}
void WriteOp::Prep(io_uring_sqe* sqe) noexcept {
  io_uring_prep_write(sqe, fd_, data_, length_, static_cast<uint64_t>(-1));
}

void PollOp::Arm(Ring& ring, int fd, unsigned poll_mask) noexcept {
  fd_ = fd;
  mask_ = poll_mask;
  ring.Start(*this);
}
void PollOp::Prep(io_uring_sqe* sqe) noexcept { io_uring_prep_poll_add(sqe, fd_, mask_); }

void TimeoutOp::Arm(Ring& ring, absl::Duration after) noexcept {
  const int64_t ns = absl::ToInt64Nanoseconds(after < absl::ZeroDuration() ? absl::ZeroDuration()
                                                                            : after);
  spec_.tv_sec = ns / 1'000'000'000;
  spec_.tv_nsec = ns % 1'000'000'000;
  ring.Start(*this);
}
void TimeoutOp::Prep(io_uring_sqe* sqe) noexcept { io_uring_prep_timeout(sqe, &spec_, 0, 0); }

void ConnectOp::Arm(Ring& ring, int fd, const sockaddr* address, socklen_t length) noexcept {
  fd_ = fd;
  length_ = std::min<socklen_t>(length, sizeof address_);
  std::memcpy(&address_, address, length_);
  ring.Start(*this);
}
void ConnectOp::Prep(io_uring_sqe* sqe) noexcept {
  io_uring_prep_connect(sqe, fd_, reinterpret_cast<const sockaddr*>(&address_), length_);
}

void ShutdownOp::Arm(Ring& ring, int fd, int how) noexcept {
  fd_ = fd;
  how_ = how;
  ring.Start(*this);
}
void ShutdownOp::Prep(io_uring_sqe* sqe) noexcept { io_uring_prep_shutdown(sqe, fd_, how_); }

}  // namespace ringleader
