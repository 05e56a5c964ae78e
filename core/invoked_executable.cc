// Resolving the invoked program path at each spawn.
#include "core/invoked_executable.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/absl_bridge.h"

namespace ringleader {

InvokedExecutable InvokedExecutable::FromArgv0(std::string_view argv0) {
  char cwd[PATH_MAX];
  const bool have_cwd = ::getcwd(cwd, sizeof cwd) != nullptr;
  return InvokedExecutable(std::string(argv0), have_cwd ? cwd : "/");
}

std::string InvokedExecutable::Absolute(std::string_view path) const {
  if (!path.empty() && path.front() == '/') return std::string(path);
  return absl::StrCat(Absl(start_dir_), "/", Absl(path));
}

absl::StatusOr<std::string> InvokedExecutable::Resolve() const {
  if (argv0_.empty()) return absl::NotFoundError("the program was started without argv[0]");
  if (argv0_.find('/') != std::string::npos) {
    std::string path = Absolute(argv0_);
    // absl appends the errno text itself: "/srv/app/current: No such file or directory".
    if (::access(path.c_str(), X_OK) != 0) return absl::ErrnoToStatus(errno, path);
    return path;
  }
  // As execvp(3): each PATH entry in order, an empty one meaning the (starting) directory.
  const char* env_path = std::getenv("PATH");
  const char* search = env_path != nullptr ? env_path : "/usr/bin:/bin";
  for (absl::string_view dir : absl::StrSplit(search, ':')) {
    const absl::string_view in = dir.empty() ? absl::string_view(".") : dir;
    std::string path = Absolute(absl::StrCat(in, "/", argv0_));
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return absl::NotFoundError(absl::StrCat(Absl(argv0_), ": not found in PATH"));
}

}  // namespace ringleader
