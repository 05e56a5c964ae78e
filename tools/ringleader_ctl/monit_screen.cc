// Layout of the monit screen: title, headline, worker table with bars, recent events, footer.
#include "tools/ringleader_ctl/monit_screen.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/ringleader_ctl/format.h"

namespace ringleader::ctl {
namespace {

constexpr int kBarWidth = 10;

std::vector<std::string> WorkerLines(const MonitView& view, size_t max_workers) {
  const ClusterStatus& status = *view.status;
  int64_t memory_scale = 0;
  for (const WorkerStatus& w : status.workers) memory_scale = std::max(memory_scale, w.rss_bytes);
  std::vector<std::vector<std::string>> rows = {
      {"slot", "pid", "state", "uptime", "req/s", "conns", "cpu", "", "mem", ""}};
  const size_t shown = std::min(status.workers.size(), max_workers);
  for (size_t i = 0; i < shown; ++i) {
    const WorkerStatus& w = status.workers[i];
    const double memory = memory_scale > 0 ? static_cast<double>(w.rss_bytes) / memory_scale : 0;
    rows.push_back({absl::StrCat(w.slot), absl::StrCat(w.pid), w.state, HumanUptime(w.uptime_s),
                    absl::StrFormat("%.1f", w.requests_per_s), absl::StrCat(w.connections),
                    Bar(w.cpu_percent / 100, kBarWidth), absl::StrFormat("%.1f%%", w.cpu_percent),
                    Bar(memory, kBarWidth), HumanBytes(w.rss_bytes)});
  }
  std::vector<std::string> lines;
  const std::string table =
      RenderColumns(rows, {true, true, false, true, true, true, false, true, false, true});
  for (size_t start = 0; start < table.size();) {
    const size_t end = table.find('\n', start);
    lines.push_back(table.substr(start, end - start));
    start = end + 1;
  }
  if (shown < status.workers.size()) {
    lines.push_back(absl::StrCat("... and ", status.workers.size() - shown, " more"));
  }
  return lines;
}

}  // namespace

std::string Bar(double fraction, int width) {
  if (!(fraction > 0)) fraction = 0;  // NaN too
  const int filled = static_cast<int>(std::lround(std::min(fraction, 1.0) * width));
  return absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '.'), "]");
}

std::vector<std::string> RenderMonit(const MonitView& view, int rows, int cols) {
  const size_t height = static_cast<size_t>(std::max(rows, 1));
  const size_t width = static_cast<size_t>(std::max(cols, 1));
  std::vector<std::string> lines;
  const std::string title = absl::StrCat("ringleader monit  ", view.control_path);
  const std::string hint = "q quits";
  lines.push_back(title.size() + 2 + hint.size() <= width
                      ? title + std::string(width - title.size() - hint.size(), ' ') + hint
                      : title);
  const std::string footer = view.problem;
  // Lines left between the title and the footer.
  const size_t body = height >= 2 ? height - 2 : 0;
  std::vector<std::string> middle;
  if (!view.status.has_value()) {
    middle.push_back("waiting for the first status...");
  } else {
    middle.push_back(StatusHeadline(*view.status));
    middle.push_back("");
    // Headline, blank, table header: three lines; "... and N more" needs one.
    const size_t room = body > 3 ? body - 3 : 0;
    const size_t n = view.status->workers.size();
    const size_t max_workers = n <= room ? n : (room > 0 ? room - 1 : 0);
    for (std::string& line : WorkerLines(view, max_workers)) middle.push_back(std::move(line));
  }
  // Events: a blank, a heading, then the most recent that fit.
  if (body >= middle.size() + 3) {
    const size_t fit = std::min(body - middle.size() - 2, kMonitEvents);
    middle.push_back("");
    middle.push_back("recent lifecycle events");
    if (view.events.empty()) middle.push_back("(none yet)");
    const size_t count = std::min(fit, view.events.size());
    for (size_t i = view.events.size() - count; i < view.events.size(); ++i) {
      middle.push_back(view.events[i]);
    }
  }
  middle.resize(std::min(middle.size(), body));
  for (std::string& line : middle) lines.push_back(std::move(line));
  while (lines.size() + 1 < height) lines.push_back("");
  if (height >= 2) lines.push_back(footer);
  lines.resize(height);
  for (std::string& line : lines) {
    if (line.size() > width) line.resize(width);
  }
  return lines;
}

}  // namespace ringleader::ctl
