// UniqueFd's close path, kept out of line so <unistd.h> stays out of every includer.
#include "core/unique_fd.h"

#include <unistd.h>

namespace ringleader {

void UniqueFd::Reset(int fd) noexcept {
  // close() is not retried on EINTR: on Linux the descriptor is released either way.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace ringleader
