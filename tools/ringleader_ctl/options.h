// Command line of ringleader-ctl, parsed without global flags so every case is unit-testable.
//
//   ringleader-ctl [--control=PATH | --port=N] COMMAND [ARGS] [--json] [--to=SLOT] [--follow]
//
//   absl::StatusOr<Options> o = ParseOptions({argv + 1, argv + argc});
//   if (!o.ok()) { std::cerr << o.status().message() << "\n\n" << kUsage; return kExitUsage; }
//   std::string line = RequestLine(*o);   // {"cmd":"status"}\n
//
// Options may come before or after the command, as "--to 2" or "--to=2".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ringleader::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the server said no, or it could not be reached
inline constexpr int kExitUsage = 2;

extern const char kUsage[];

enum class Command { kHelp, kStatus, kReload, kScale, kStop, kSend, kTrace, kMonit };

struct Options {
  Command command = Command::kHelp;
  std::string control_path;    // --control, else DefaultControlPath(port)
  bool control_given = false;  // where control_path came from, for the "not listening" hint
  uint16_t port = 3000;
  bool json = false;      // status, trace: print the server's lines as they are
  bool follow = false;    // trace: until interrupted (else ~1 s)
  int workers = 0;        // scale
  std::string message;    // send: the JSON object, minified
  std::optional<int> to;  // send: one slot (else every worker)
};

// InvalidArgument naming the offending argument. `--help` anywhere gives Command::kHelp.
absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args);

// The request for `o.command`, one JSON line with its newline. Not for kHelp.
std::string RequestLine(const Options& o);

}  // namespace ringleader::ctl
