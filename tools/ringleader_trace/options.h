// Command line of ringleader-trace, parsed without global flags.
//
//   ringleader-trace [--check] [--summary] [--svg OUT] [--alive=PID,...|running] FILE|-
//
//   absl::StatusOr<Options> options = ParseOptions({argv + 1, argv + argc});
//   if (!options.ok()) { std::cerr << options.status().message() << "\n" << kUsage; return 2; }
//
// No mode flag: the per-worker timeline. Modes combine (--check --summary --svg out.svg).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ringleader::trace_tool {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;  // bad arguments, unreadable input, unwritable output

extern const char kUsage[];

struct Options {
  std::string input;  // a path, or "-" for stdin
  bool check = false;
  bool summary = false;
  std::string svg_path;  // empty: no SVG
  bool help = false;
  // --check: workers not dead at the end are fine if their pid is here (the cluster still runs).
  std::set<int> alive;
  bool alive_running = false;  // --alive=running: every such pid that exists on this machine

  bool timeline() const { return !check && !summary && svg_path.empty(); }
  bool follow() const { return input == "-"; }
};

// InvalidArgument naming the offending argument.
absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args);

}  // namespace ringleader::trace_tool
