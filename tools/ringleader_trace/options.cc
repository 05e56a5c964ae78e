// Argument parsing: a handful of flags, both "--svg OUT" and "--svg=OUT" forms.
#include "tools/ringleader_trace/options.h"

#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/absl_bridge.h"

namespace ringleader::trace_tool {

const char kUsage[] =
    "usage: ringleader-trace [--check] [--summary] [--svg OUT] [--alive=PIDS|running] FILE|-\n"
    "\n"
    "Reads a ringleader lifecycle trace (--trace=FILE; '-' reads stdin, so it can follow\n"
    "`tail -f`). Without a mode it prints a timeline per worker generation.\n"
    "\n"
    "  --check        replay every record through the lifecycle transition table; print each\n"
    "                 violation with its line number; exit 1 if there is one\n"
    "  --summary      latencies (p50/p95/p99/max), restarts by cause, crash loops, parked slots,\n"
    "                 rolling restarts\n"
    "  --svg OUT      write a timeline picture (self-contained SVG) to OUT\n"
    "  --alive=PIDS   with --check: these pids (comma-separated) may still be alive at the end;\n"
    "                 --alive=running: any pid still running on this machine may\n"
    "\n"
    "Exit: 0 ok, 1 check failed, 2 usage or I/O error. Unreadable lines are skipped (and\n"
    "reported on stderr) except by --check, for which they are violations.\n";

absl::StatusOr<Options> ParseOptions(const std::vector<std::string>& args) {
  Options o;
  bool positional_only = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (positional_only || arg == "-" || !arg.starts_with("-")) {
      if (!o.input.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("one trace at a time: '", o.input, "' and '", Absl(arg), "'"));
      }
      o.input = std::string(arg);
    } else if (arg == "--") {
      positional_only = true;
    } else if (arg == "--check") {
      o.check = true;
    } else if (arg == "--summary") {
      o.summary = true;
    } else if (arg == "-h" || arg == "--help") {
      o.help = true;
    } else if (arg == "--svg") {
      if (i + 1 == args.size()) return absl::InvalidArgumentError("--svg needs a file name");
      o.svg_path = args[++i];
    } else if (arg.starts_with("--svg=")) {
      o.svg_path = std::string(arg.substr(6));
      if (o.svg_path.empty()) return absl::InvalidArgumentError("--svg needs a file name");
    } else if (arg.starts_with("--alive=")) {
      const std::string_view list = arg.substr(8);
      if (list == "running") {
        o.alive_running = true;
        continue;
      }
      for (const absl::string_view item : absl::StrSplit(Absl(list), ',')) {
        int pid = 0;
        if (!absl::SimpleAtoi(item, &pid) || pid <= 0) {
          return absl::InvalidArgumentError(absl::StrCat("--alive: not a pid: '", item, "'"));
        }
        o.alive.insert(pid);
      }
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option '", Absl(arg), "'"));
    }
  }
  if (o.help) return o;
  if (o.input.empty()) return absl::InvalidArgumentError("no trace given (a FILE, or - for stdin)");
  if (!o.check && (!o.alive.empty() || o.alive_running)) {
    return absl::InvalidArgumentError("--alive only means something with --check");
  }
  return o;
}

}  // namespace ringleader::trace_tool
