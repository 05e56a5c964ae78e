// ringleader-trace: check, summarise and draw lifecycle traces (README "Trace format").
//
//   ringleader-trace /var/log/ringleader.trace             # per-worker timeline
//   tail -f /var/log/ringleader.trace | ringleader-trace -  # the same, as workers finish
//   ringleader-trace --check --summary --svg deploy.svg deploy.trace
//
// Exit codes: 0 ok, 1 --check found violations, 2 usage or I/O error.
#include <signal.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fsm/trace_check.h"
#include "tools/ringleader_trace/options.h"
#include "tools/ringleader_trace/rollouts.h"
#include "tools/ringleader_trace/summary.h"
#include "tools/ringleader_trace/svg.h"
#include "tools/ringleader_trace/timeline.h"
#include "tools/ringleader_trace/trace_model.h"
#include "tools/ringleader_trace/trace_reader.h"

namespace ringleader::trace_tool {
namespace {

void Complain(absl::string_view message) { std::cerr << "ringleader-trace: " << message << "\n"; }

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::out | std::ios::trunc | std::ios::binary);
  if (!out.is_open()) return absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", path));
  out << contents;
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("writing ", path, " failed"));
  return absl::OkStatus();
}

// Pids that --check may find alive at the end: the listed ones, or (--alive=running) those of
// unfinished workers that still exist.
std::set<int> AlivePids(const Options& o, const TraceModel& model) {
  std::set<int> alive = o.alive;
  if (!o.alive_running) return alive;
  for (const WorkerHistory& w : model.workers) {
    if (!w.dead() && (::kill(w.pid, 0) == 0 || errno == EPERM)) alive.insert(w.pid);
  }
  return alive;
}

void PrintViolations(const TraceChecker& checker, size_t& printed) {
  const auto& violations = checker.violations();
  for (; printed < violations.size(); ++printed) {
    std::cout << "line " << violations[printed].line << ": " << violations[printed].what << "\n";
  }
  std::cout.flush();
}

int Run(const Options& o) {
  absl::StatusOr<std::unique_ptr<std::istream>> in = OpenTraceInput(o.input);
  if (!in.ok()) {
    Complain(in.status().message());
    return kExitUsage;
  }
  TraceReader reader(**in);
  TraceModelBuilder builder;
  TraceChecker checker;
  size_t violations_printed = 0;
  int skipped = 0;
  std::vector<bool> shown;  // follow mode: workers whose timeline is already out
  while (std::optional<TraceLine> line = reader.Next()) {
    if (o.check) {
      checker.Add(line->number, line->record);
      PrintViolations(checker, violations_printed);
    }
    if (!line->record.ok()) {
      ++skipped;
      if (!o.check) {
        Complain(
            absl::StrCat("line ", line->number, ": skipped: ", line->record.status().message()));
      }
      continue;
    }
    const std::optional<size_t> died = builder.Add(line->number, *line->record);
    if (o.timeline() && o.follow() && died) {
      const TraceModel& model = builder.model();
      if (shown.empty()) std::cout << TimelineHeader(model.first_ns);
      shown.resize(model.workers.size(), false);
      shown[*died] = true;
      std::cout << RenderWorker(model.workers[*died], model) << std::flush;
    }
  }
  if (!reader.status().ok()) {
    Complain(reader.status().message());
    return kExitUsage;
  }
  const TraceModel& model = builder.model();
  if (o.timeline()) {
    if (model.records == 0) std::cout << "no records\n";
    if (shown.empty() && model.records > 0) std::cout << TimelineHeader(model.first_ns);
    shown.resize(model.workers.size(), false);
    for (size_t i : model.BySlot()) {
      if (!shown[i]) std::cout << RenderWorker(model.workers[i], model);
    }
  }
  if (o.summary) std::cout << RenderSummary(Summarise(model, skipped), model);
  if (!o.svg_path.empty()) {
    if (absl::Status s = WriteFile(o.svg_path, RenderSvg(model, FindRollouts(model))); !s.ok()) {
      Complain(s.message());
      return kExitUsage;
    }
  }
  if (!o.check) return kExitOk;
  checker.Finish(AlivePids(o, model));
  PrintViolations(checker, violations_printed);
  if (checker.ok()) {
    std::cout << "check: OK, " << model.records << " records, " << model.workers.size()
              << " worker generations, every step legal\n";
    return kExitOk;
  }
  std::cout << "check: FAILED, " << checker.violations().size() << " violation"
            << (checker.violations().size() == 1 ? "" : "s") << "\n";
  return kExitCheckFailed;
}

}  // namespace
}  // namespace ringleader::trace_tool

int main(int argc, char** argv) {
  using namespace ringleader::trace_tool;
  std::ios::sync_with_stdio(false);
  absl::StatusOr<Options> options = ParseOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::cerr << "ringleader-trace: " << options.status().message() << "\n\n" << kUsage;
    return kExitUsage;
  }
  if (options->help) {
    std::cout << kUsage;
    return kExitOk;
  }
  return Run(*options);
}
