// The control socket client: a blocking Unix stream socket, every read bounded by poll().
#include "tools/ringleader_ctl/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/absl_bridge.h"

namespace ringleader::ctl {

absl::StatusOr<ControlClient> ControlClient::Connect(const std::string& path,
                                                     std::string_view how_started) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError(absl::StrCat("the control socket path is too long (",
                                                   path.size(), " bytes; at most ",
                                                   sizeof(addr.sun_path) - 1, "): ", path));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  absl::Cleanup close_fd = [fd] { ::close(fd); };
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    switch (err) {
      case ENOENT:
      case ECONNREFUSED:
      case ENOTSOCK:
        return absl::UnavailableError(absl::StrCat("no ringleader is listening on ", path,
                                                   " (is it running with ", Absl(how_started),
                                                   "?)"));
      case EACCES:
      case EPERM:
        return absl::PermissionDeniedError(absl::StrCat(
            "permission denied on ", path,
            " (the control socket belongs to another user; run as that user or root)"));
      default:
        return absl::UnavailableError(
            absl::StrCat("cannot connect to ", path, ": ", std::strerror(err)));
    }
  }
  std::move(close_fd).Cancel();
  return ControlClient(fd, path);
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) ::close(fd_);
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

absl::Status ControlClient::Send(std::string_view line) {
  while (!line.empty()) {
    const ssize_t n = ::send(fd_, line.data(), line.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::UnavailableError(
          absl::StrCat("the server at ", path_, " hung up: ", std::strerror(errno)));
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ControlClient::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (const size_t eol = buffer_.find('\n'); eol != std::string::npos) {
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      return std::optional<std::string>(std::move(line));
    }
    if (buffer_.size() > kMaxReplyLine) {
      return absl::DataLossError(
          absl::StrCat("the server at ", path_, " sent a line over ", kMaxReplyLine, " bytes"));
    }
    const absl::Duration left = deadline - absl::Now();
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = ::poll(
        &p, 1, static_cast<int>(absl::ToInt64Milliseconds(std::max(left, absl::ZeroDuration()))));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return absl::ErrnoToStatus(errno, "poll");
    if (ready == 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("no reply from ", path_, " within ", absl::FormatDuration(timeout)));
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::UnavailableError(
          absl::StrCat("reading from ", path_, " failed: ", std::strerror(errno)));
    }
    if (n == 0) {
      if (buffer_.empty()) return std::optional<std::string>();
      return absl::DataLossError(
          absl::StrCat("the server at ", path_, " closed the connection in the middle of a line"));
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> ControlClient::Request(std::string_view line, absl::Duration timeout) {
  if (absl::Status s = Send(line); !s.ok()) return s;
  absl::StatusOr<std::optional<std::string>> reply = ReadLine(timeout);
  if (!reply.ok()) return reply.status();
  if (!reply->has_value()) {
    return absl::UnavailableError(
        absl::StrCat("the server at ", path_, " closed the connection without a reply"));
  }
  return **std::move(reply);
}

}  // namespace ringleader::ctl
