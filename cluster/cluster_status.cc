// StatusJson: the control socket's answer to "status", one JSON object on one line (the socket
// adds the line's end). Integers as integers, doubles with at most two decimals (no trailing
// zeros), every string through the one JSON escaper.
#include "cluster/cluster_status.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/json_escape.h"

namespace ringleader {
namespace {

// At most two decimals, trailing zeros dropped ("12.5", "3"); JSON has no NaN or infinity, so a
// value that is neither finite nor a number is `null`.
std::string JsonDecimal(double value) {
  if (!std::isfinite(value)) return "null";
  std::string text = absl::StrFormat("%.2f", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

}  // namespace

std::string StatusJson(const ClusterStatus& status) {
  std::string out = absl::StrCat(
      R"({"ok":true,"primary":{"pid":)", status.primary_pid,
      R"(,"uptime_s":)", JsonDecimal(status.uptime_s),
      R"(,"sched":)", JsonString(status.sched),
      R"(,"workers":)", status.target_workers,
      R"(,"rollout":)", status.rollout_in_progress ? "true" : "false", R"(},"workers":[)");
  const char* separator = "";
  for (const WorkerStatus& w : status.workers) {
    absl::StrAppend(&out, separator, R"({"slot":)", w.slot,
                    R"(,"pid":)", w.pid,
                    R"(,"generation":)", w.generation,
                    R"(,"state":)", JsonString(w.state),
                    R"(,"uptime_s":)", JsonDecimal(w.uptime_s),
                    R"(,"restarts":)", w.restarts,
                    R"(,"requests":)", w.requests,
                    R"(,"rps":)", JsonDecimal(w.requests_per_s),
                    R"(,"connections":)", w.connections,
                    R"(,"rss_bytes":)", w.rss_bytes,
                    R"(,"cpu_percent":)", JsonDecimal(w.cpu_percent));
    if (!w.status_text.empty()) absl::StrAppend(&out, R"(,"status":)", JsonString(w.status_text));
    out += "}";
    separator = ",";
  }
  out += "]}";
  return out;
}

}  // namespace ringleader
