// Text rendering of one worker generation's life.
#include "tools/ringleader_trace/timeline.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/absl_bridge.h"
#include "tools/ringleader_trace/format.h"

namespace ringleader::trace_tool {
namespace {

// Events whose name adds nothing to the state they lead to.
bool ObviousEvent(const Phase& p) {
  return (p.state == WorkerState::kForking && p.event == WorkerEvent::kForked) ||
         (p.state == WorkerState::kOnline && p.event == WorkerEvent::kOnlineMessage) ||
         (p.state == WorkerState::kListening && p.event == WorkerEvent::kListeningMessage);
}

std::string Detail(WorkerEvent event, const std::string& cause) {
  if (cause.empty()) return std::string(EventName(event));
  return absl::StrCat(Absl(EventName(event)), ": ", cause);
}

std::string StatusAndPlan(const ExitCause& exit) {
  return exit.plan_text.empty() ? exit.status : absl::StrCat(exit.status, "; ", exit.plan_text);
}

}  // namespace

std::string TimelineHeader(int64_t first_ns) {
  return absl::StrCat("times are relative to the first record (t_ns ", first_ns, ")\n\n");
}

std::string DescribeEnd(const WorkerHistory& w) {
  const ExitCause exit = w.exit();
  const Mark* escalation = w.Escalation();
  const std::string why = escalation != nullptr && !escalation->cause.empty()
                              ? absl::StrCat(" (", escalation->cause, ")")
                              : "";
  switch (w.end()) {
    case EndKind::kAlive: return absl::StrCat("still ", Absl(StateName(w.state())));
    case EndKind::kDrained: return absl::StrCat("drained, ", StatusAndPlan(exit));
    case EndKind::kCrashed:
      return absl::StrCat("crashed while ",
                          w.DiedIn() ? Absl(StateName(*w.DiedIn())) : "being born", ", ",
                          StatusAndPlan(exit));
    case EndKind::kWatchdogKill:
      return absl::StrCat("killed by the watchdog", why, ", ", StatusAndPlan(exit));
    case EndKind::kDrainTimeoutKill:
      return absl::StrCat("killed after the drain timeout", why, ", ", StatusAndPlan(exit));
    case EndKind::kReadyTimeoutKill:
      return absl::StrCat("killed after the ready timeout", why, ", ", StatusAndPlan(exit));
  }
  return "?";
}

std::string RenderWorker(const WorkerHistory& w, const TraceModel& model) {
  const auto at = [&model](int64_t t_ns) { return FormatOffset(t_ns - model.first_ns); };
  std::string out =
      absl::StrFormat("slot %d  gen %u  pid %d  (%s)\n", w.slot, w.generation, w.pid,
                      w.born_in_trace ? w.birth_cause : std::string("born before the trace"));
  size_t next_mark = 0;
  auto marks_until = [&](int line) {
    for (; next_mark < w.marks.size() && w.marks[next_mark].line < line; ++next_mark) {
      const Mark& m = w.marks[next_mark];
      absl::StrAppend(&out,
                      absl::StrFormat("  %10s  ! %s\n", at(m.t_ns), Detail(m.event, m.cause)));
    }
  };
  for (size_t i = 0; i < w.phases.size(); ++i) {
    const Phase& p = w.phases[i];
    marks_until(p.line);
    const bool last = i + 1 == w.phases.size();
    std::string start = p.start_known ? at(p.start_ns) : "<" + at(p.start_ns);
    std::string duration;
    if (p.state != WorkerState::kDead) {
      const int64_t end_ns = last ? model.last_ns : w.phases[i + 1].start_ns;
      duration = FormatDuration(end_ns - p.start_ns);
      if (last || !p.start_known) duration = ">" + duration;
    }
    std::string detail;
    if (p.state == WorkerState::kDead) {
      // The "ended" line below says it in words.
    } else if (p.start_known && !ObviousEvent(p)) {
      detail = Detail(p.event, p.cause);
    } else if (p.start_known && p.state != WorkerState::kForking) {
      detail = p.cause;
    }
    std::string line =
        absl::StrFormat("  %10s  %-10s %10s  %s", start, StateName(p.state), duration, detail);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  marks_until(std::numeric_limits<int>::max());
  if (w.dead()) {
    absl::StrAppend(&out, "  ended ", at(w.phases.back().start_ns), ": ", DescribeEnd(w), "\n\n");
  } else {
    absl::StrAppend(&out, "  ", DescribeEnd(w), " at the end of the trace (", at(model.last_ns),
                    ")\n\n");
  }
  return out;
}

}  // namespace ringleader::trace_tool
