// InvokedExecutable: the program as the operator started it — argv[0] made absolute against the
// starting directory, or looked up in PATH when it has no slash — resolved again at each use.
//
//   const InvokedExecutable self = InvokedExecutable::FromArgv0(argv[0]);
//   absl::StatusOr<std::string> path = self.Resolve();   // at every spawn
//   if (!path.ok()) Report(path.status());   // "/srv/app/current: No such file or directory"
//
// Why not /proc/self/exe: it names the inode that is running, resolved through every symlink,
// so a deploy that flips `current -> releases/v2` would re-execute v1 for ever. The path is
// returned unresolved, so exec follows the symlink as it is at that moment.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ringleader {

class InvokedExecutable {
 public:
  // Captures the current directory now (a relative argv[0] means relative to where we started).
  static InvokedExecutable FromArgv0(std::string_view argv0);
  InvokedExecutable(std::string argv0, std::string start_dir)
      : argv0_(std::move(argv0)), start_dir_(std::move(start_dir)) {}

  // An absolute path that names an executable file now. NotFound (or the errno of access(2))
  // with the path in the message when it is gone; with no slash, the first match in $PATH.
  absl::StatusOr<std::string> Resolve() const;

 private:
  std::string Absolute(std::string_view path) const;

  std::string argv0_;
  std::string start_dir_;
};

}  // namespace ringleader
