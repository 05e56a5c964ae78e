// SVG rendering: fixed geometry, colours by state, a 1-2-5 time axis.
#include "tools/ringleader_trace/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_bridge.h"
#include "tools/ringleader_trace/format.h"
#include "tools/ringleader_trace/timeline.h"

namespace ringleader::trace_tool {
namespace {

constexpr double kWidth = 1100;
constexpr double kLabelWidth = 230;  // the row labels, left of the plot
constexpr double kRightPad = 30;
constexpr double kTop = 78;  // first row
constexpr double kRowHeight = 20;
constexpr double kBarHeight = 12;
constexpr double kPlotWidth = kWidth - kLabelWidth - kRightPad;
constexpr double kStripHeight = 36;  // the "workers listening" step chart under the rows

const char* StateColour(WorkerState s) {
  switch (s) {
    case WorkerState::kForking: return "#9e9e9e";
    case WorkerState::kOnline: return "#f2c14e";
    case WorkerState::kListening: return "#43a047";
    case WorkerState::kDraining: return "#fb8c00";
    case WorkerState::kDead: return "#000000";
  }
  return "#000000";
}

constexpr const char* kKillColour = "#d32f2f";
constexpr const char* kExitColour = "#37474f";
constexpr const char* kRolloutColour = "#bbdefb";

// Maps trace time to x.
class Scale {
 public:
  Scale(int64_t first_ns, int64_t last_ns)
      : first_ns_(first_ns), span_ns_(std::max<int64_t>(last_ns - first_ns, 1)) {}
  double X(int64_t t_ns) const {
    return kLabelWidth +
           static_cast<double>(t_ns - first_ns_) / static_cast<double>(span_ns_) * kPlotWidth;
  }
  int64_t span_ns() const { return span_ns_; }

 private:
  int64_t first_ns_;
  int64_t span_ns_;
};

// The 1-2-5 step giving at most about ten ticks over `span_ns`.
int64_t TickStep(int64_t span_ns) {
  int64_t step = 1'000'000;  // 1 ms at least
  while (true) {
    for (const int64_t m : {1, 2, 5}) {
      if (span_ns / (step * m) <= 10) return step * m;
    }
    step *= 10;
  }
}

std::string TickLabel(int64_t t_ns, int64_t step_ns) {
  int decimals = 0;
  for (int64_t unit = 1'000'000'000; unit > step_ns && decimals < 3; unit /= 10) ++decimals;
  return absl::StrFormat("%.*f s", decimals, static_cast<double>(t_ns) / 1e9);
}

void Legend(std::string& out, double y) {
  double x = kLabelWidth;
  auto text = [&](std::string_view label) {
    absl::StrAppend(
        &out, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 16, y + 10, label));
    x += 16 + 8.0 * static_cast<double>(label.size()) + 18;
  };
  for (const WorkerState s : {WorkerState::kForking, WorkerState::kOnline, WorkerState::kListening,
                              WorkerState::kDraining}) {
    absl::StrAppend(
        &out,
        absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x,
                        y, StateColour(s)));
    text(StateName(s));
  }
  absl::StrAppend(
      &out,
      absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x,
                      y, kRolloutColour));
  text("rolling restart");
  absl::StrAppend(&out, absl::StrFormat("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n",
                                        x + 6, y + 6, kExitColour));
  text("exit");
  absl::StrAppend(
      &out,
      absl::StrFormat("<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                      x + 2, y + 2, kKillColour));
  text("crash/kill");
  absl::StrAppend(&out, absl::StrFormat("<path d=\"M%.1f %.1fl5 6l-5 6l-5 -6z\" fill=\"%s\"/>\n",
                                        x + 6, y, kKillColour));
  text("timeout");
}

void Row(std::string& out, const WorkerHistory& w, const TraceModel& model, const Scale& scale,
         double y) {
  const auto at = [&model](int64_t t) { return FormatOffset(t - model.first_ns); };
  const std::string who = absl::StrFormat("slot %d gen %u pid %d", w.slot, w.generation, w.pid);
  absl::StrAppend(
      &out, absl::StrFormat("<g class=\"row\" data-slot=\"%d\" data-gen=\"%u\" data-pid=\"%d\">\n",
                            w.slot, w.generation, w.pid));
  absl::StrAppend(&out, absl::StrFormat("<text x=\"8\" y=\"%.1f\">%s</text>\n", y + 14, who));
  const double bar_y = y + (kRowHeight - kBarHeight) / 2;
  for (size_t i = 0; i < w.phases.size(); ++i) {
    const Phase& p = w.phases[i];
    if (p.state == WorkerState::kDead) break;
    const int64_t end = i + 1 < w.phases.size() ? w.phases[i + 1].start_ns : model.last_ns;
    const double x0 = scale.X(p.start_ns);
    const double width = std::max(scale.X(end) - x0, 1.0);
    const std::string tip =
        absl::StrCat(who, ": ", Absl(StateName(p.state)), " from ", at(p.start_ns), " for ",
                     FormatDuration(end - p.start_ns), p.cause.empty() ? "" : " (", p.cause,
                     p.cause.empty() ? "" : ")");
    absl::StrAppend(
        &out, absl::StrFormat("<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.0f\" "
                              "fill=\"%s\"><title>%s</title></rect>\n",
                              x0, bar_y, width, kBarHeight, StateColour(p.state), XmlEscape(tip)));
  }
  for (const Mark& m : w.escalations) {
    absl::StrAppend(
        &out, absl::StrFormat("<path d=\"M%.2f %.1fl5 6l-5 6l-5 -6z\" fill=\"%s\"><title>%s</title>"
                              "</path>\n",
                              scale.X(m.t_ns), bar_y, kKillColour,
                              XmlEscape(absl::StrCat(who, ": ", Absl(EventName(m.event)), " at ",
                                                     at(m.t_ns), " ", m.cause))));
  }
  if (w.dead()) {
    const double x = scale.X(w.phases.back().start_ns);
    const std::string tip = XmlEscape(
        absl::StrCat(who, ": ended ", at(w.phases.back().start_ns), ", ", DescribeEnd(w)));
    if (w.end() == EndKind::kDrained) {
      absl::StrAppend(
          &out, absl::StrFormat("<circle cx=\"%.2f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s"
                                "</title></circle>\n",
                                x, y + kRowHeight / 2, kExitColour, tip));
    } else {
      absl::StrAppend(&out, absl::StrFormat("<path d=\"M%.2f %.1fl8 8m0 -8l-8 8\" stroke=\"%s\" "
                                            "stroke-width=\"2\"><title>%s</title></path>\n",
                                            x - 4, y + kRowHeight / 2 - 4, kKillColour, tip));
    }
  }
  absl::StrAppend(&out, "</g>\n");
}

// How many workers listen over time: a step line under the rows, the rollout's worst moment
// visible as a dip.
void ServingStrip(std::string& out, const TraceModel& model, const Scale& scale, double top) {
  const std::vector<ServingStep> steps = ServingOverTime(model);
  int most = 1;
  for (const ServingStep& s : steps) most = std::max(most, s.serving);
  const double bottom = top + kStripHeight;
  const auto y_of = [&](int n) {
    return bottom - kStripHeight * static_cast<double>(n) / static_cast<double>(most);
  };
  absl::StrAppend(&out, "<g class=\"serving\">\n");
  absl::StrAppend(&out, absl::StrFormat("<text x=\"8\" y=\"%.1f\">workers listening</text>\n",
                                        top + kStripHeight / 2 + 4));
  absl::StrAppend(&out, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                                        "font-size=\"10\">%d</text>\n<text x=\"%.1f\" y=\"%.1f\" "
                                        "text-anchor=\"end\" font-size=\"10\">0</text>\n",
                                        kLabelWidth - 6, top + 8, most, kLabelWidth - 6, bottom));
  absl::StrAppend(&out, absl::StrFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                                        "stroke=\"#9e9e9e\"/>\n",
                                        kLabelWidth, bottom, kLabelWidth + kPlotWidth, bottom));
  std::string path = absl::StrFormat("M%.2f %.2f", scale.X(model.first_ns), y_of(0));
  for (const ServingStep& s : steps) {
    absl::StrAppend(&path, absl::StrFormat(" H%.2f V%.2f", scale.X(s.t_ns), y_of(s.serving)));
  }
  absl::StrAppend(&path, absl::StrFormat(" H%.2f", scale.X(model.last_ns)));
  absl::StrAppend(
      &out, absl::StrFormat("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>\n",
                            path, StateColour(WorkerState::kListening)));
  absl::StrAppend(&out, "</g>\n");
}

}  // namespace

std::string RenderSvg(const TraceModel& model, const std::vector<Rollout>& rollouts) {
  const Scale scale(model.first_ns, model.last_ns);
  const std::vector<size_t> order = model.BySlot();
  const double rows_bottom = kTop + kRowHeight * static_cast<double>(order.size());
  const double strip_top = rows_bottom + 10;
  const double axis_y = strip_top + kStripHeight;  // the tick labels hang below this
  const double height = axis_y + 44;
  std::string out;
  absl::StrAppend(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  absl::StrAppend(
      &out, absl::StrFormat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans "
                            "Mono, Menlo, Consolas, monospace\" font-size=\"12\">\n",
                            kWidth, height, kWidth, height));
  absl::StrAppend(&out, absl::StrFormat("<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
                                        kWidth, height));
  absl::StrAppend(
      &out,
      absl::StrFormat("<text x=\"8\" y=\"24\" font-size=\"15\" font-weight=\"bold\">ringleader "
                      "lifecycle trace: %d worker generations, %d records, %s</text>\n",
                      order.size(), model.records,
                      XmlEscape(FormatDuration(model.last_ns - model.first_ns))));
  Legend(out, 40);

  // Slots in alternating shades, then the time grid, rolling restarts and
  // the rows' bars on top.
  double y = kTop;
  absl::StrAppend(&out, "<g class=\"shading\" fill=\"#f3f3f3\">\n");
  for (size_t i : order) {
    if (model.workers[i].slot % 2 == 0) {
      absl::StrAppend(
          &out, absl::StrFormat("<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\"/>\n", y,
                                kWidth, kRowHeight));
    }
    y += kRowHeight;
  }
  absl::StrAppend(&out, "</g>\n");

  // Time grid and axis.
  const int64_t step = TickStep(scale.span_ns());
  absl::StrAppend(&out, "<g class=\"axis\" stroke=\"#cfcfcf\">\n");
  for (int64_t t = 0; t <= scale.span_ns(); t += step) {
    const double x = scale.X(model.first_ns + t);
    absl::StrAppend(&out,
                    absl::StrFormat("<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", x,
                                    kTop - 4, x, axis_y + 4));
  }
  absl::StrAppend(&out, "</g>\n<g class=\"ticks\" text-anchor=\"middle\">\n");
  for (int64_t t = 0; t <= scale.span_ns(); t += step) {
    absl::StrAppend(&out,
                    absl::StrFormat("<text x=\"%.2f\" y=\"%.1f\">%s</text>\n",
                                    scale.X(model.first_ns + t), axis_y + 18, TickLabel(t, step)));
  }
  absl::StrAppend(
      &out, absl::StrFormat("<text x=\"%.1f\" y=\"%.1f\">time since the first record</text>\n",
                            kLabelWidth + kPlotWidth / 2, axis_y + 36));
  absl::StrAppend(&out, "</g>\n");

  for (size_t i = 0; i < rollouts.size(); ++i) {
    const Rollout& r = rollouts[i];
    const double x0 = scale.X(r.start_ns);
    const double x1 = std::max(scale.X(r.end_ns), x0 + 2);
    absl::StrAppend(
        &out, absl::StrFormat("<rect class=\"rollout\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
                              "height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.6\"><title>rolling "
                              "restart #%d: %s, serving at worst %d of %d</title></rect>\n",
                              x0, kTop - 12, x1 - x0, rows_bottom - kTop + 12, kRolloutColour,
                              i + 1, XmlEscape(FormatDuration(r.end_ns - r.start_ns)),
                              r.serving_min, r.serving_before));
    absl::StrAppend(&out, absl::StrFormat("<text x=\"%.2f\" y=\"%.1f\" font-size=\"10\">rolling "
                                          "restart #%d</text>\n",
                                          x0 + 2, kTop - 3, i + 1));
  }
  y = kTop;
  for (size_t i : order) {
    Row(out, model.workers[i], model, scale, y);
    y += kRowHeight;
  }
  ServingStrip(out, model, scale, strip_top);
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace ringleader::trace_tool
