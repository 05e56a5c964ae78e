// MakeUnixAddress: filesystem path or '@' abstract name → sockaddr_un with its exact length.
#include "core/unix_address.h"

#include <cstddef>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {

absl::StatusOr<UnixAddress> MakeUnixAddress(std::string_view name) {
  UnixAddress out;
  out.address.sun_family = AF_UNIX;
  out.abstract = !name.empty() && name.front() == '@';
  const std::string_view body = out.abstract ? name.substr(1) : name;
  if (body.empty()) return absl::InvalidArgumentError("empty unix socket name");
  if (body.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("unix socket name holds a NUL byte");
  }
  // A path needs its terminating NUL; an abstract name needs its leading one.
  if (body.size() >= sizeof out.address.sun_path) {
    return absl::InvalidArgumentError(absl::StrCat("unix socket name longer than ",
                                                   sizeof out.address.sun_path - 1,
                                                   " bytes: ", Absl(name)));
  }
  const size_t offset = out.abstract ? 1 : 0;  // sun_path[0] stays 0 for an abstract name
  std::memcpy(out.address.sun_path + offset, body.data(), body.size());
  out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + body.size() +
                                      (out.abstract ? 0 : 1));
  return out;
}

}  // namespace ringleader
