// NotifySocket: the supervisor's receiving end of sd_notify(3) — one AF_UNIX datagram socket,
// read on our Ring, each datagram parsed (ipc/notify_message.h) and handed over with the
// sender's kernel-supplied credentials.
//
//   auto socket = NotifySocket::Bind(ring, "/run/ringleader/notify-2.7",   // slot 2, gen 7
//       {.on_message = [&](pid_t pid, uid_t, const NotifyMessage& m) {
//          if (pid != child_pid) return ++spoofed;   // a child speaks only for itself
//          ...
//        }});
//   (*socket)->Start();               // child's environment: NOTIFY_SOCKET=(*socket)->name()
//   (*socket)->Stop();                // cancels; destroy once !in_flight()
//
// Identity. The owner makes ONE NotifySocket per child, at a name unique to its slot and
// generation, and accepts a message only when the credential pid equals that child's pid. The
// pid comes from SCM_CREDENTIALS, filled in by the kernel (SO_PASSCRED), not from the payload,
// so a child that writes to a sibling's socket — by mistake or through an inherited variable —
// is recognised as itself and ignored there. Limits: a process with CAP_SYS_ADMIN (root) can
// send credentials naming any pid, so this covers the accidental and the non-malicious cases,
// not a hostile root child; a forked grandchild has its own pid and is refused unless the owner
// knows it (MAINPID= is reported, never trusted by this class).
//
// Bounds. One datagram per completion, then re-armed: a flood costs the primary one parse per
// loop turn and never blocks it — once the socket queue is full the *sender* gets EAGAIN.
// Datagrams over kMaxNotifyDatagram (MSG_TRUNC), with control data that did not fit
// (MSG_CTRUNC: e.g. descriptors attached), without credentials, or that do not parse are
// counted in NotifyStats and dropped; descriptors a sender attaches are never kept.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/unique_fd.h"
#include "ipc/notify_message.h"

namespace ringleader {

struct NotifyStats {
  uint64_t delivered = 0;       // handed to on_message
  uint64_t garbage = 0;         // refused by ParseNotifyMessage
  uint64_t oversize = 0;        // truncated payload or control data (MSG_TRUNC / MSG_CTRUNC)
  uint64_t no_credentials = 0;  // no SCM_CREDENTIALS, or a pid the kernel could not name (0)
  uint64_t receive_errors = 0;  // recvmsg failures (transient ones re-arm; see on_failed)
};

struct NotifyCallbacks {
  // Required: a parsed message and who sent it according to the kernel. Runs inside a
  // completion; it may call Stop().
  absl::AnyInvocable<void(pid_t sender_pid, uid_t uid, const NotifyMessage& message)> on_message;
  // Optional: receiving stopped on an unexpected recvmsg error (not after Stop()).
  absl::AnyInvocable<void(absl::Status why)> on_failed;
  // Optional: after Stop(), the receive op's final completion has arrived (in_flight() is false
  // now; the owner may free the socket, through Ring::Defer since this runs inside it).
  absl::AnyInvocable<void()> on_stopped;
};

class NotifySocket {
 public:
  // Creates the socket (SO_PASSCRED set before bind, so every datagram carries credentials) and
  // binds it to `name`: a filesystem path, created with mode 0600 (further narrowed by the
  // umask), or a Linux abstract name when it starts with '@'. AlreadyExists when the path is
  // taken — the owner picks unique names and clears its own directory. Not started yet.
  static absl::StatusOr<std::unique_ptr<NotifySocket>> Bind(Ring& ring, std::string name,
                                                            NotifyCallbacks callbacks);
  // Unlinks the path (when it is still our socket's). The receive op must not be in flight.
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  // Starts (or, after Stop(), resumes) receiving. Datagrams queued meanwhile are read then.
  void Start() noexcept;
  // Stops receiving; the op's final completion follows (in_flight() turns false then).
  void Stop() noexcept;
  bool in_flight() const noexcept { return recv_op_.in_flight(); }

  // What the child's NOTIFY_SOCKET should say.
  const std::string& name() const noexcept { return name_; }
  const NotifyStats& stats() const noexcept { return stats_; }
  int fd() const noexcept { return fd_.get(); }

 private:
  NotifySocket(Ring& ring, UniqueFd fd, std::string name, NotifyCallbacks callbacks);
  void Arm() noexcept;
  void OnRecv(int res) noexcept;
  void Stopped() noexcept;
  // The sender's credentials, or nullopt; closes any descriptors that came along.
  std::optional<ucred> TakeCredentials() noexcept;

  Ring& ring_;
  UniqueFd fd_;
  std::string name_;
  NotifyCallbacks callbacks_;
  // The bound file's identity, so destruction never unlinks a file someone put there since.
  dev_t bound_dev_ = 0;
  ino_t bound_ino_ = 0;
  bool stopping_ = false;
  NotifyStats stats_;
  // One byte more than the largest datagram accepted: a datagram that fills it is over the
  // limit, a larger one arrives with MSG_TRUNC; both count as oversize.
  char buffer_[kMaxNotifyDatagram + 1];
  alignas(cmsghdr) char control_[CMSG_SPACE(sizeof(ucred))];
  iovec iov_{};
  msghdr msg_{};
  RecvMsgOp recv_op_;
};

}  // namespace ringleader
