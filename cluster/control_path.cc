// The default control socket path.
#include "cluster/control_path.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace ringleader {

std::string DefaultControlPath(uint16_t port) {
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime != nullptr && runtime[0] == '/') {
    return absl::StrCat(runtime, "/ringleader-", port, ".sock");
  }
  return absl::StrCat("/tmp/ringleader-", ::getuid(), "-", port, ".sock");
}

}  // namespace ringleader
