// Human units, the status table and trace event lines.
#include "tools/ringleader_ctl/format.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_bridge.h"

namespace ringleader::ctl {

std::string HumanUptime(double seconds) {
  const int64_t s = seconds > 0 ? static_cast<int64_t>(seconds) : 0;
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrCat(s / 60, "m");
  if (s < 86400) return absl::StrCat(s / 3600, "h");
  return absl::StrCat(s / 86400, "d");
}

std::string HumanBytes(int64_t bytes) {
  if (bytes < 1024) return absl::StrCat(std::max<int64_t>(bytes, 0), " B");
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

std::string RenderColumns(const std::vector<std::vector<std::string>>& rows,
                          const std::vector<bool>& right_aligned) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      const std::string pad(widths[c] - row[c].size(), ' ');
      if (c > 0) line += "  ";
      const bool right = c < right_aligned.size() && right_aligned[c];
      absl::StrAppend(&line, right ? pad : "", row[c], right ? "" : pad);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string StatusHeadline(const ClusterStatus& status) {
  std::string out = absl::StrCat(
      "primary pid ", status.primary_pid, ", sched ", status.sched, ", ", status.target_workers,
      " worker", status.target_workers == 1 ? "" : "s", ", up ", HumanUptime(status.uptime_s));
  if (status.rollout_in_progress) out += ", rolling restart in progress";
  return out;
}

std::string RenderStatusTable(const ClusterStatus& status) {
  std::string out = StatusHeadline(status) + "\n";
  if (status.workers.empty()) return out + "no workers\n";
  std::vector<std::vector<std::string>> rows = {{"slot", "pid", "gen", "state", "uptime",
                                                 "restarts", "requests", "req/s", "conns", "rss",
                                                 "cpu"}};
  std::vector<bool> right_aligned = {true, true, true, false, true, true,
                                     true, true, true, true, true};
  // `ringleader exec` programs that send STATUS= get a column for it.
  const bool any_status = std::any_of(status.workers.begin(), status.workers.end(),
                                      [](const WorkerStatus& w) { return !w.status_text.empty(); });
  if (any_status) {
    rows.front().push_back("status");
    right_aligned.push_back(false);
  }
  for (const WorkerStatus& w : status.workers) {
    rows.push_back({absl::StrCat(w.slot), absl::StrCat(w.pid), absl::StrCat(w.generation), w.state,
                    HumanUptime(w.uptime_s), absl::StrCat(w.restarts), absl::StrCat(w.requests),
                    absl::StrFormat("%.1f", w.requests_per_s), absl::StrCat(w.connections),
                    HumanBytes(w.rss_bytes), absl::StrFormat("%.1f%%", w.cpu_percent)});
    if (any_status) rows.back().push_back(w.status_text);
  }
  return out + RenderColumns(rows, right_aligned);
}

std::string FormatEvent(const TraceRecord& r, absl::Time received, absl::TimeZone zone) {
  std::string out = absl::StrCat(absl::FormatTime("%H:%M:%S", received, zone), " slot ", r.slot,
                                 " gen ", r.generation, " pid ", r.pid, " ");
  if (r.from.has_value()) absl::StrAppend(&out, Absl(StateName(*r.from)), " -> ");
  absl::StrAppend(&out, Absl(StateName(r.to)), " (", Absl(EventName(r.event)), ")");
  if (!r.cause.empty()) absl::StrAppend(&out, " ", r.cause);
  return out;
}

}  // namespace ringleader::ctl
