// The default control socket path (see control_path.h).
#include "cluster/control_path.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {

std::string ControlPathFor(std::string_view runtime_dir, unsigned uid, uint16_t port) {
  if (!runtime_dir.empty()) return absl::StrCat(Absl(runtime_dir), "/ringleader-", port, ".sock");
  return absl::StrCat("/tmp/ringleader-", uid, "-", port, ".sock");
}

std::string DefaultControlPath(uint16_t port) {
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  return ControlPathFor(runtime_dir != nullptr ? runtime_dir : "", ::getuid(), port);
}

}  // namespace ringleader
