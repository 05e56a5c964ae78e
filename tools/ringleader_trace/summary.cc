// Summary statistics over a TraceModel, and their text rendering.
#include "tools/ringleader_trace/summary.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/ringleader_trace/format.h"

namespace ringleader::trace_tool {
namespace {

// The plan written with a worker's exit (fsm/cause.h), or none when it is not one of ours.
ExitPlan PlanOf(const WorkerHistory& w) { return w.exit().plan.value_or(ExitPlan{}); }

LatencyStats Stats(std::string name, std::vector<int64_t> samples) {
  std::sort(samples.begin(), samples.end());
  return {std::move(name), std::move(samples)};
}

void Count(std::vector<std::pair<std::string, int>>& counts, const std::string& key) {
  for (auto& [name, n] : counts) {
    if (name == key) {
      ++n;
      return;
    }
  }
  counts.emplace_back(key, 1);
}

// Each slot's workers, in generation order.
std::map<int, std::vector<size_t>> WorkersBySlot(const TraceModel& model) {
  std::map<int, std::vector<size_t>> out;
  for (size_t i : model.BySlot()) out[model.workers[i].slot].push_back(i);
  return out;
}

// One slot's births and deaths, each sorted by time (ties keep generation order), so the
// neighbour of any moment is a binary search, not a scan: --summary stays O(n log n).
struct SlotTimeline {
  SlotTimeline(const TraceModel& model, const std::vector<size_t>& workers) {
    for (size_t i : workers) {
      const WorkerHistory& w = model.workers[i];
      if (w.born_in_trace) births.emplace_back(w.phases.front().start_ns, i);
      if (w.dead()) deaths.emplace_back(w.phases.back().start_ns, i);
    }
    const auto by_time = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::stable_sort(births.begin(), births.end(), by_time);
    std::stable_sort(deaths.begin(), deaths.end(), by_time);
  }

  // The worker born first at or after `t_ns`.
  std::optional<size_t> FirstBornAtOrAfter(int64_t t_ns) const {
    auto it = std::lower_bound(births.begin(), births.end(), t_ns,
                               [](const auto& b, int64_t t) { return b.first < t; });
    if (it == births.end()) return std::nullopt;
    return it->second;
  }

  // The worker that died last at or before `t_ns`: whom a worker born then replaces.
  std::optional<size_t> LastDeathAtOrBefore(int64_t t_ns) const {
    auto it = std::upper_bound(deaths.begin(), deaths.end(), t_ns,
                               [](int64_t t, const auto& d) { return t < d.first; });
    if (it == deaths.begin()) return std::nullopt;
    return std::prev(it)->second;
  }

  std::vector<std::pair<int64_t, size_t>> births;
  std::vector<std::pair<int64_t, size_t>> deaths;
};

std::vector<LatencyStats> Latencies(const TraceModel& model,
                                    const std::map<int, std::vector<size_t>>& by_slot) {
  using S = WorkerState;
  struct StepName {
    S from;
    S to;
    const char* name;
  };
  const StepName steps[] = {{S::kForking, S::kOnline, "fork -> online"},
                            {S::kOnline, S::kListening, "online -> listening"},
                            {S::kListening, S::kDraining, "listening -> draining"},
                            {S::kDraining, S::kDead, "draining -> dead"}};
  std::vector<LatencyStats> out;
  for (const auto& [from, to, name] : steps) {
    std::vector<int64_t> samples;
    for (const WorkerHistory& w : model.workers) {
      const auto a = w.EnteredAt(from);
      const auto b = w.EnteredAt(to);
      if (a && b && *b >= *a) samples.push_back(*b - *a);
    }
    out.push_back(Stats(name, std::move(samples)));
  }
  // Replacement: an exit the primary answered with a restart ("restart now", "restart in N ms"),
  // to the listening of the slot's first worker born after it. (A rolling restart's new worker
  // is born, and listens, before the old one leaves: there is no gap to measure.)
  std::vector<int64_t> replacement;
  for (const auto& [slot, workers] : by_slot) {
    const SlotTimeline timeline(model, workers);
    for (size_t i : workers) {
      const WorkerHistory& gone = model.workers[i];
      if (!PlanOf(gone).Restarts()) continue;
      const int64_t exited = gone.phases.back().start_ns;
      const std::optional<size_t> next = timeline.FirstBornAtOrAfter(exited);
      if (!next) continue;
      if (const auto listening = model.workers[*next].EnteredAt(WorkerState::kListening)) {
        replacement.push_back(*listening - exited);
      }
    }
  }
  out.push_back(Stats("replacement (exit -> next gen listening)", std::move(replacement)));
  return out;
}

// Why each worker that is not a first start was started: the predecessor's end, or the rollout.
std::vector<std::pair<std::string, int>> RestartsByCause(
    const TraceModel& model, const std::map<int, std::vector<size_t>>& by_slot) {
  std::vector<std::pair<std::string, int>> out;
  std::map<int, SlotTimeline> timelines;
  for (const auto& [slot, workers] : by_slot) timelines.try_emplace(slot, model, workers);
  // In birth order, so the listing order follows the trace.
  for (size_t i = 0; i < model.workers.size(); ++i) {
    const WorkerHistory& w = model.workers[i];
    if (!w.born_in_trace) continue;
    const std::optional<BirthKind> kind = w.birth_kind();
    if (kind == BirthKind::kStart || kind == BirthKind::kScaleUp) continue;
    if (kind == BirthKind::kRollingRestart) {
      Count(out, "rolling restart");
      continue;
    }
    const std::optional<size_t> p = timelines.at(w.slot).LastDeathAtOrBefore(w.phases.front().start_ns);
    if (!p) {
      Count(out, w.birth_cause);
      continue;
    }
    const WorkerHistory& before = model.workers[*p];
    switch (before.end()) {
      case EndKind::kWatchdogKill: Count(out, "watchdog"); break;
      case EndKind::kDrainTimeoutKill: Count(out, "drain timeout"); break;
      case EndKind::kReadyTimeoutKill: Count(out, "ready timeout"); break;
      case EndKind::kCrashed: Count(out, absl::StrCat("crash (", before.exit().status, ")")); break;
      case EndKind::kDrained:
        Count(out, absl::StrCat("exit after drain (", before.exit().status, ")"));
        break;
      case EndKind::kAlive: Count(out, w.birth_cause); break;
    }
  }
  return out;
}

std::vector<CrashLoop> CrashLoops(const TraceModel& model,
                                  const std::map<int, std::vector<size_t>>& by_slot) {
  std::vector<CrashLoop> out;
  for (const auto& [slot, workers] : by_slot) {
    CrashLoop run{.slot = slot};
    auto flush = [&out, &run] {
      if (run.workers.size() >= 2 || run.parked) out.push_back(run);
      run.workers.clear();
      run.backoffs.clear();
      run.parked = false;
    };
    for (size_t i : workers) {
      const WorkerHistory& w = model.workers[i];
      const ExitPlan plan = PlanOf(w);
      const bool backoff = plan.Backoff();
      const bool parked = plan.Parked();
      if (backoff || parked) {
        run.workers.push_back(i);
        if (backoff) run.backoffs.push_back(BackoffText(plan));
        run.parked = parked;
        if (parked) flush();
      } else if (w.dead() || w.EnteredAt(WorkerState::kListening)) {
        flush();  // a worker that lived, or died for another reason, ends the run
      }
    }
    flush();
  }
  return out;
}

std::vector<ParkedSlot> ParkedSlots(const TraceModel& model,
                                    const std::map<int, std::vector<size_t>>& by_slot) {
  std::vector<ParkedSlot> out;
  for (const auto& [slot, workers] : by_slot) {
    for (size_t k = 0; k < workers.size(); ++k) {
      const WorkerHistory& w = model.workers[workers[k]];
      const ExitPlan plan = PlanOf(w);
      if (!plan.Parked()) continue;
      ParkedSlot p{.slot = slot, .at_ns = w.phases.back().start_ns};
      p.why = std::string(ParkReason(plan));
      for (size_t j = k + 1; j < workers.size(); ++j) {
        const WorkerHistory& later = model.workers[workers[j]];
        if (later.born_in_trace && later.phases.front().start_ns >= p.at_ns) {
          p.revived_ns = later.phases.front().start_ns;
          p.revived_by = later.birth_cause;
          break;
        }
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

}  // namespace

int64_t LatencyStats::Percentile(double percent) const {
  if (samples.empty()) return 0;
  const double rank = std::ceil(percent / 100.0 * static_cast<double>(samples.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return samples[std::min(index, samples.size() - 1)];
}

Summary Summarise(const TraceModel& model, int skipped_lines) {
  Summary s;
  s.records = model.records;
  s.skipped_lines = skipped_lines;
  s.workers = static_cast<int>(model.workers.size());
  s.first_ns = model.first_ns;
  s.span_ns = model.last_ns - model.first_ns;
  const auto by_slot = WorkersBySlot(model);
  s.slots = static_cast<int>(by_slot.size());
  s.latencies = Latencies(model, by_slot);
  for (const EndKind kind :
       {EndKind::kDrained, EndKind::kCrashed, EndKind::kWatchdogKill, EndKind::kDrainTimeoutKill,
        EndKind::kReadyTimeoutKill, EndKind::kAlive}) {
    int n = 0;
    for (const WorkerHistory& w : model.workers) n += w.end() == kind ? 1 : 0;
    if (n > 0) s.ends.emplace_back(std::string(EndKindName(kind)), n);
  }
  s.restarts_by_cause = RestartsByCause(model, by_slot);
  s.crash_loops = CrashLoops(model, by_slot);
  s.parked = ParkedSlots(model, by_slot);
  s.rollouts = FindRollouts(model);
  return s;
}

namespace {

std::string Cell(const LatencyStats& l, int64_t value) {
  return l.samples.empty() ? "-" : FormatDuration(value);
}

std::string Counts(const std::vector<std::pair<std::string, int>>& counts) {
  if (counts.empty()) return "none";
  return absl::StrJoin(counts, ", ", [](std::string* out, const auto& c) {
    absl::StrAppend(out, c.first, " ", c.second);
  });
}

std::string Listed(size_t n) { return n == 0 ? "none" : absl::StrCat(n); }

}  // namespace

std::string RenderSummary(const Summary& s, const TraceModel& model) {
  const auto at = [&s](int64_t t_ns) { return FormatOffset(t_ns - s.first_ns); };
  std::string out = absl::StrFormat(
      "trace: %d records, %d worker generations in %d slots, over %s (times relative to the "
      "first record)\n",
      s.records, s.workers, s.slots, FormatDuration(s.span_ns));
  if (s.skipped_lines > 0)
    absl::StrAppend(&out, "skipped: ", s.skipped_lines, " unreadable lines\n");

  absl::StrAppend(
      &out, "\n",
      absl::StrFormat("%-42s %4s %10s %10s %10s %10s\n", "latency", "n", "p50", "p95", "p99",
                      "max"));
  for (const LatencyStats& l : s.latencies) {
    absl::StrAppend(&out, absl::StrFormat("%-42s %4d %10s %10s %10s %10s\n", l.name,
                                          l.samples.size(), Cell(l, l.Percentile(50)),
                                          Cell(l, l.Percentile(95)), Cell(l, l.Percentile(99)),
                                          Cell(l, l.max())));
  }

  absl::StrAppend(&out, "\nends: ", Counts(s.ends), "\n");
  absl::StrAppend(&out, "restarts by cause: ", Counts(s.restarts_by_cause), "\n");

  absl::StrAppend(&out, "crash loops: ", Listed(s.crash_loops.size()), "\n");
  for (const CrashLoop& c : s.crash_loops) {
    const WorkerHistory& first = model.workers[c.workers.front()];
    const WorkerHistory& last = model.workers[c.workers.back()];
    absl::StrAppend(&out, "  slot ", c.slot, ": ", c.workers.size(), " quick deaths (gen ",
                    first.generation, "-", last.generation, ") from ",
                    at(first.phases.front().start_ns), " to ", at(last.phases.back().start_ns));
    if (!c.backoffs.empty()) absl::StrAppend(&out, ", backoff ", absl::StrJoin(c.backoffs, ", "));
    absl::StrAppend(&out, c.parked ? ", then parked" : "", "\n");
  }

  absl::StrAppend(&out, "parked slots: ", Listed(s.parked.size()), "\n");
  for (const ParkedSlot& p : s.parked) {
    absl::StrAppend(&out, "  slot ", p.slot, " parked at ", at(p.at_ns), " (", p.why, "), ");
    if (p.revived_ns >= 0) {
      absl::StrAppend(&out, "revived at ", at(p.revived_ns), " (", p.revived_by, ")\n");
    } else {
      absl::StrAppend(&out, "still parked at the end\n");
    }
  }

  absl::StrAppend(&out, "rolling restarts: ", Listed(s.rollouts.size()), "\n");
  for (size_t i = 0; i < s.rollouts.size(); ++i) {
    const Rollout& r = s.rollouts[i];
    absl::StrAppend(&out, "  #", i + 1, " ", at(r.start_ns), " to ", at(r.end_ns), ": ",
                    FormatDuration(r.end_ns - r.start_ns), ", ", r.slots_replaced, " of ",
                    r.new_workers.size(), " slots replaced");
    if (!r.complete_in_trace) absl::StrAppend(&out, " (still running at the end)");
    if (r.old_gone_ns) absl::StrAppend(&out, ", old workers gone at ", at(*r.old_gone_ns));
    absl::StrAppend(&out, "\n     serving: ", r.serving_before, " before, ", r.serving_min,
                    " at worst (", at(r.serving_min_at), ")\n");
    if (!r.stopped.empty()) absl::StrAppend(&out, "     stopped: ", r.stopped, "\n");
  }
  return out;
}

}  // namespace ringleader::trace_tool
