// NotifySocket: bind with SO_PASSCRED, single-shot recvmsg re-armed per datagram, credential and
// size checks before the parser sees a byte.
#include "ipc/notify_socket.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "core/status.h"
#include "core/unix_address.h"

namespace ringleader {

absl::StatusOr<std::unique_ptr<NotifySocket>> NotifySocket::Bind(Ring& ring, std::string name,
                                                                  NotifyCallbacks callbacks) {
  if (!callbacks.on_message) return absl::InvalidArgumentError("notify socket needs on_message");
  RL_ASSIGN_OR_RETURN(const UnixAddress address, MakeUnixAddress(name));
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return ErrnoStatus(errno, "notify socket");
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0) {
    return ErrnoStatus(errno, "setsockopt SO_PASSCRED");
  }
  // Linux creates the socket file with the socket inode's mode minus the umask, so narrowing the
  // inode first gives 0600 from the start: no window with a wider mode, and no process-wide
  // umask change.
  if (!address.abstract && ::fchmod(fd.get(), S_IRUSR | S_IWUSR) != 0) {
    return ErrnoStatus(errno, "fchmod notify socket");
  }
  if (::bind(fd.get(), address.as_sockaddr(), address.length) != 0) {
    const int error = errno;
    if (error == EADDRINUSE) {
      return absl::AlreadyExistsError(absl::StrCat("notify socket ", name, " is taken"));
    }
    return ErrnoStatus(error, absl::StrCat("bind notify socket ", name));
  }
  std::unique_ptr<NotifySocket> socket(
      new NotifySocket(ring, std::move(fd), std::move(name), std::move(callbacks)));
  if (!address.abstract) {
    struct stat st {};
    // Bound just now: a failing stat leaves the identity empty and the file is not unlinked.
    if (::stat(socket->name_.c_str(), &st) == 0) {
      socket->bound_dev_ = st.st_dev;
      socket->bound_ino_ = st.st_ino;
    }
  }
  return socket;
}

NotifySocket::NotifySocket(Ring& ring, UniqueFd fd, std::string name, NotifyCallbacks callbacks)
    : ring_(ring),
      fd_(std::move(fd)),
      name_(std::move(name)),
      callbacks_(std::move(callbacks)),
      recv_op_([this](int res, uint32_t) noexcept { OnRecv(res); }) {}

NotifySocket::~NotifySocket() {
  if (bound_ino_ == 0) return;
  struct stat st {};
  if (::lstat(name_.c_str(), &st) == 0 && st.st_dev == bound_dev_ && st.st_ino == bound_ino_) {
    ::unlink(name_.c_str());
  }
}

void NotifySocket::Start() noexcept {
  stopping_ = false;
  if (!recv_op_.in_flight()) Arm();
}

void NotifySocket::Stop() noexcept {
  stopping_ = true;
  ring_.Cancel(recv_op_);
}

void NotifySocket::Stopped() noexcept {
  if (callbacks_.on_stopped) callbacks_.on_stopped();
}

void NotifySocket::Arm() noexcept {
  msg_ = OneBufferMessage(iov_, buffer_, sizeof buffer_, control_, sizeof control_);
  recv_op_.Arm(ring_, fd_.get(), &msg_);
}

std::optional<ucred> NotifySocket::TakeCredentials() noexcept {
  std::optional<ucred> credentials;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg_); c != nullptr; c = CMSG_NXTHDR(&msg_, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(ucred))) {
      ucred cred;
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      credentials = cred;
    } else if (c->cmsg_type == SCM_RIGHTS) {
      // The control buffer leaves no room for descriptors, but never keep one if it does.
      const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int received;
        std::memcpy(&received, CMSG_DATA(c) + i * sizeof(int), sizeof received);
        UniqueFd closed_here(received);
      }
    }
  }
  return credentials;
}

void NotifySocket::OnRecv(int res) noexcept {
  if (res >= 0) {
    const std::optional<ucred> cred = TakeCredentials();
    if (stopping_) return Stopped();
    if ((msg_.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
        static_cast<size_t>(res) > kMaxNotifyDatagram) {
      ++stats_.oversize;
    } else if (!cred || cred->pid <= 0) {
      // pid 0: credentials the kernel could not fill in (sender in a pid namespace we cannot
      // see, or queued before SO_PASSCRED) — nobody the owner could match.
      ++stats_.no_credentials;
    } else if (absl::StatusOr<NotifyMessage> m =
                   ParseNotifyMessage(std::string_view(buffer_, static_cast<size_t>(res)));
               !m.ok()) {
      ++stats_.garbage;
    } else {
      ++stats_.delivered;
      callbacks_.on_message(cred->pid, cred->uid, *m);
      if (stopping_) return Stopped();  // the handler may stop us
    }
    return Arm();
  }
  if (stopping_) return Stopped();
  // Stop() then Start() before the cancel completed: the new Start() wants the op running.
  if (res == -ECANCELED) return Arm();
  ++stats_.receive_errors;
  // Transient: interrupted, raced with another reader, or short of kernel memory for a moment.
  if (res == -EINTR || res == -EAGAIN || res == -ENOMEM || res == -ENOBUFS) return Arm();
  stopping_ = true;
  if (callbacks_.on_failed) callbacks_.on_failed(ErrnoStatus(-res, "notify recvmsg"));
}

}  // namespace ringleader
