// Resolving, binding and listening; errors name the address so the operator sees which one.
#include "net/listener.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/status.h"

namespace ringleader {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* ai) const { freeaddrinfo(ai); }
};

absl::StatusOr<UniqueFd> BindOne(const addrinfo& ai, const ListenOptions& options,
                                 const std::string& where) {
  UniqueFd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol));
  if (!fd) return ErrnoStatus(errno, "socket");
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (options.reuse_port) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  // Responses are written whole; Nagle would only delay the last segment of each.
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::bind(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    return ErrnoStatus(errno, absl::StrCat("bind ", where));
  }
  if (::listen(fd.get(), options.backlog) != 0) {
    return ErrnoStatus(errno, absl::StrCat("listen ", where));
  }
  return fd;
}

}  // namespace

absl::StatusOr<UniqueFd> OpenListener(const ListenOptions& options) {
  const std::string where = absl::StrCat(options.host, ":", options.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* raw = nullptr;
  const std::string port = std::to_string(options.port);
  if (int rc = ::getaddrinfo(options.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve --host ", options.host, ": ", gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  absl::Status last = absl::NotFoundError(absl::StrCat("no address for ", where));
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    auto fd = BindOne(*ai, options, where);
    if (fd.ok()) return fd;
    last = fd.status();
  }
  return last;
}

absl::StatusOr<uint16_t> LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return ErrnoStatus(errno, "getsockname");
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace ringleader
