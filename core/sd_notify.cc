// sd_notify and socket activation: one datagram out, three variables in, two variables out.
#include "core/sd_notify.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/absl_bridge.h"
#include "core/decimal.h"
#include "core/status.h"
#include "core/unix_address.h"

namespace ringleader {
namespace {

constexpr std::string_view kUnknownName = "unknown";
constexpr size_t kMaxFdNameBytes = 255;

// Strict decimal: digits only, no sign, no spaces, fits an int.
std::optional<int> ParseDecimal(std::string_view text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '-' || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// Copies a variable out and removes it, so nothing we start later inherits it.
std::optional<std::string> TakeEnv(const char* name) {
  std::optional<std::string> value;
  if (const char* raw = std::getenv(name); raw != nullptr) value.emplace(raw);
  ::unsetenv(name);
  return value;
}

// systemd's fdname_is_valid(): 1..255 printable ASCII bytes, no ':'.
bool ValidFdName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFdNameBytes) return false;
  for (const char c : name) {
    if (c < 0x20 || c > 0x7e || c == ':') return false;
  }
  return true;
}

}  // namespace

absl::Status SdNotify(std::string_view state) {
  const char* socket_name = std::getenv("NOTIFY_SOCKET");
  if (socket_name == nullptr || *socket_name == '\0') return absl::OkStatus();
  return SdNotify(socket_name, state);
}

absl::Status SdNotify(std::string_view socket_name, std::string_view state) {
  if (state.empty()) return absl::InvalidArgumentError("empty sd_notify state");
  RL_ASSIGN_OR_RETURN(const UnixAddress to, MakeUnixAddress(socket_name));
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return ErrnoStatus(errno, "sd_notify socket");
  // The receiver's SO_PASSCRED makes the kernel attach our credentials; none to send here.
  const ssize_t sent = ::sendto(fd.get(), state.data(), state.size(),
                                MSG_DONTWAIT | MSG_NOSIGNAL, to.as_sockaddr(), to.length);
  if (sent < 0) return ErrnoStatus(errno, absl::StrCat("sd_notify to ", Absl(socket_name)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ListenFd>> ListenFdsFromEnvironment() {
  const std::optional<std::string> pid_text = TakeEnv("LISTEN_PID");
  const std::optional<std::string> count_text = TakeEnv("LISTEN_FDS");
  const std::optional<std::string> names_text = TakeEnv("LISTEN_FDNAMES");
  std::vector<ListenFd> fds;
  if (!count_text || !pid_text) return fds;
  const std::optional<int> pid = ParseDecimal(*pid_text);
  if (!pid || *pid <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("LISTEN_PID is not a pid: ", *pid_text));
  }
  if (*pid != ::getpid()) return fds;  // meant for the process that exec'd us
  const std::optional<int> count = ParseDecimal(*count_text);
  if (!count || *count > kMaxListenFds) {
    return absl::InvalidArgumentError(
        absl::StrCat("LISTEN_FDS must be 0 to ", kMaxListenFds, ": ", *count_text));
  }
  if (*count == 0) return fds;
  std::vector<std::string> names;
  if (names_text) names = absl::StrSplit(*names_text, ':');
  if (names_text && names.size() != static_cast<size_t>(*count)) {
    return absl::InvalidArgumentError(absl::StrCat("LISTEN_FDNAMES has ", names.size(),
                                                   " names for ", *count, " descriptors"));
  }
  fds.reserve(static_cast<size_t>(*count));
  // Take ownership of all of them first, so an error below closes every one we were given.
  for (int i = 0; i < *count; ++i) {
    std::string name = names_text ? std::move(names[i]) : std::string(kUnknownName);
    fds.push_back({UniqueFd(kListenFdsStart + i), std::move(name)});
  }
  for (ListenFd& listen : fds) {
    const int flags = ::fcntl(listen.fd.get(), F_GETFD);
    if (flags < 0 || ::fcntl(listen.fd.get(), F_SETFD, flags | FD_CLOEXEC) != 0) {
      const int error = errno;
      for (ListenFd& f : fds) {
        if (::fcntl(f.fd.get(), F_GETFD) < 0) f.fd.release();  // never ours: do not close it
      }
      return ErrnoStatus(error, absl::StrCat("LISTEN_FDS descriptor ", listen.fd.get()));
    }
  }
  return fds;
}

std::vector<std::string> ListenFdsEnvironment(int count, std::span<const std::string> names) {
  count = std::clamp(count, 0, kMaxListenFds);
  std::vector<std::string> env;
  env.push_back(absl::StrCat("LISTEN_FDS=", count));
  if (names.empty() || count == 0) return env;
  std::string joined = "LISTEN_FDNAMES=";
  for (int i = 0; i < count; ++i) {
    const bool usable = static_cast<size_t>(i) < names.size() && ValidFdName(names[i]);
    if (i > 0) joined += ':';
    joined += usable ? std::string_view(names[i]) : kUnknownName;
  }
  env.push_back(std::move(joined));
  return env;
}

bool FormatListenPid(char* buffer, size_t size, pid_t pid) noexcept {
  constexpr char kPrefix[] = "LISTEN_PID=";
  constexpr size_t kPrefixBytes = sizeof kPrefix - 1;
  if (pid <= 0 || buffer == nullptr || size <= kPrefixBytes) return false;
  if (!FormatDecimal(buffer + kPrefixBytes, size - kPrefixBytes, static_cast<unsigned long>(pid))) {
    return false;
  }
  for (size_t i = 0; i < kPrefixBytes; ++i) buffer[i] = kPrefix[i];
  return true;
}

}  // namespace ringleader
