// Per-worker regrouping of trace records, and what a worker's records say about its end.
#include "tools/ringleader_trace/trace_model.h"

#include <algorithm>

namespace ringleader::trace_tool {

std::string_view EndKindName(EndKind kind) {
  switch (kind) {
    case EndKind::kAlive: return "still alive";
    case EndKind::kDrained: return "drained";
    case EndKind::kCrashed: return "crashed";
    case EndKind::kWatchdogKill: return "watchdog kill";
    case EndKind::kDrainTimeoutKill: return "drain timeout kill";
    case EndKind::kReadyTimeoutKill: return "ready timeout kill";
  }
  return "?";
}

std::optional<int64_t> WorkerHistory::EnteredAt(WorkerState s) const {
  for (const Phase& p : phases) {
    if (p.state == s && p.start_known) return p.start_ns;
  }
  return std::nullopt;
}

ExitCause WorkerHistory::exit() const {
  if (!dead()) return {};
  return ParseExitCause(phases.back().cause);
}

std::optional<BirthKind> WorkerHistory::birth_kind() const {
  if (!born_in_trace) return std::nullopt;
  const std::optional<BirthCause> cause = ParseBirthCause(birth_cause);
  if (!cause) return std::nullopt;
  return cause->kind;
}

std::optional<WorkerState> WorkerHistory::DiedIn() const {
  if (!dead() || phases.size() < 2) return std::nullopt;
  return phases[phases.size() - 2].state;
}

EndKind WorkerHistory::end() const {
  if (!dead()) return EndKind::kAlive;
  if (const Mark* m = Escalation()) {
    switch (m->event) {
      case WorkerEvent::kWatchdogTimeout: return EndKind::kWatchdogKill;
      case WorkerEvent::kDrainTimeout: return EndKind::kDrainTimeoutKill;
      case WorkerEvent::kReadyTimeout: return EndKind::kReadyTimeoutKill;
      case WorkerEvent::kForked:
      case WorkerEvent::kOnlineMessage:
      case WorkerEvent::kListeningMessage:
      case WorkerEvent::kDrainRequested:
      case WorkerEvent::kExited: break;
    }
  }
  for (const Phase& p : phases) {
    if (p.state == WorkerState::kDraining && p.event == WorkerEvent::kDrainRequested) {
      return EndKind::kDrained;
    }
  }
  return EndKind::kCrashed;
}

std::vector<size_t> TraceModel::BySlot() const {
  std::vector<size_t> order(workers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) {
    const WorkerHistory& x = workers[a];
    const WorkerHistory& y = workers[b];
    return std::tie(x.slot, x.generation, x.pid) < std::tie(y.slot, y.generation, y.pid);
  });
  return order;
}

std::vector<ServingStep> ServingOverTime(const TraceModel& model) {
  struct Change {
    int64_t t_ns;
    int line;
    int delta;
  };
  std::vector<Change> changes;
  for (const WorkerHistory& w : model.workers) {
    for (size_t i = 0; i < w.phases.size(); ++i) {
      const Phase& p = w.phases[i];
      if (p.state != WorkerState::kListening) continue;
      changes.push_back({p.start_known ? p.start_ns : model.first_ns, p.line, +1});
      if (i + 1 < w.phases.size()) {
        changes.push_back({w.phases[i + 1].start_ns, w.phases[i + 1].line, -1});
      }
    }
  }
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return std::tie(a.t_ns, a.line) < std::tie(b.t_ns, b.line);
  });
  std::vector<ServingStep> steps;
  int serving = 0;
  for (const Change& c : changes) {
    serving += c.delta;
    if (!steps.empty() && steps.back().t_ns == c.t_ns) {
      steps.back().serving = serving;  // simultaneous changes: only the result counts
    } else {
      steps.push_back({c.t_ns, serving});
    }
  }
  return steps;
}

namespace {

bool IsEscalation(WorkerEvent event) {
  switch (event) {
    case WorkerEvent::kWatchdogTimeout:
    case WorkerEvent::kDrainTimeout:
    case WorkerEvent::kReadyTimeout: return true;
    case WorkerEvent::kForked:
    case WorkerEvent::kOnlineMessage:
    case WorkerEvent::kListeningMessage:
    case WorkerEvent::kDrainRequested:
    case WorkerEvent::kExited: return false;
  }
  return false;
}

}  // namespace

std::optional<size_t> TraceModelBuilder::Add(int line, const TraceRecord& r) {
  if (model_.records == 0) {
    model_.first_ns = r.t_ns;
    model_.last_ns = r.t_ns;
  }
  ++model_.records;
  model_.last_ns = std::max(model_.last_ns, r.t_ns);

  const Key key{r.slot, r.generation, r.pid};
  auto [it, fresh] = index_.try_emplace(key, model_.workers.size());
  if (fresh) {
    WorkerHistory& w = model_.workers.emplace_back();
    w.slot = r.slot;
    w.generation = r.generation;
    w.pid = r.pid;
    if (!r.from.has_value()) {
      w.born_in_trace = true;
      w.birth_cause = r.cause;
      w.phases.push_back({r.to, r.t_ns, true, line, r.event, r.cause});
      return std::nullopt;
    }
    // Its birth is before the trace: it was in `from` since at least the first record.
    w.phases.push_back({*r.from, model_.first_ns, false, line, r.event, ""});
  }
  WorkerHistory& w = model_.workers[it->second];
  const bool was_dead = w.dead();
  if (IsEscalation(r.event)) w.escalations.push_back({r.t_ns, line, r.event, r.cause});
  if (r.to == w.state()) {
    w.marks.push_back({r.t_ns, line, r.event, r.cause});
  } else {
    w.phases.push_back({r.to, r.t_ns, true, line, r.event, r.cause});
  }
  if (!was_dead && w.dead()) return it->second;
  return std::nullopt;
}

}  // namespace ringleader::trace_tool
