// UnixAddress: an AF_UNIX socket address from a name as systemd spells it, either a filesystem
// path or, when the name starts with '@', a Linux abstract name (no file, gone with the socket).
//
//   RL_ASSIGN_OR_RETURN(const UnixAddress to, MakeUnixAddress(getenv("NOTIFY_SOCKET")));
//   ::sendto(fd, data, size, MSG_DONTWAIT, to.as_sockaddr(), to.length);
//
// The length matters for abstract names: every byte up to `length` is part of the name, so it
// carries no trailing NUL ("@foo" and "@foo\0" are different sockets).
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <string_view>

#include "absl/status/statusor.h"

namespace ringleader {

struct UnixAddress {
  sockaddr_un address{};
  socklen_t length = 0;
  bool abstract = false;

  const sockaddr* as_sockaddr() const noexcept {
    return reinterpret_cast<const sockaddr*>(&address);
  }
};

// InvalidArgument when `name` is empty, is only "@", holds a NUL byte, or does not fit
// sun_path (107 bytes for a path, 107 after the '@' for an abstract name).
absl::StatusOr<UnixAddress> MakeUnixAddress(std::string_view name);

}  // namespace ringleader
