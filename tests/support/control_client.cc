// The test client for the control socket: blocking I/O with poll-bounded reads.
#include "tests/support/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ringleader::testing {

absl::Status ControlConnection::Connect(const std::string& path) {
  fd_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), std::min(path.size(), sizeof addr.sun_path - 1));
  if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("connect ", path));
  }
  return absl::OkStatus();
}

absl::Status ControlConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) return absl::ErrnoToStatus(errno, "send");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ControlConnection::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (const size_t nl = buffered_.find('\n'); nl != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    const int left = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (left <= 0) return absl::DeadlineExceededError("no reply line in time");
    pollfd p{.fd = fd_.get(), .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, left) <= 0) continue;
    char buffer[65536];
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return absl::UnavailableError("the server closed the connection");
    buffered_.append(buffer, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> ControlRequest(const std::string& path, std::string_view line,
                                           absl::Duration timeout) {
  ControlConnection c;
  if (absl::Status s = c.Connect(path); !s.ok()) return s;
  if (absl::Status s = c.Send(absl::StrCat(std::string(line), "\n")); !s.ok()) return s;
  return c.ReadLine(timeout);
}

}  // namespace ringleader::testing
