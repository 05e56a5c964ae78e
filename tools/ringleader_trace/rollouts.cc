// Rollout detection: group rolling-restart births (fsm/cause.h), then measure each group's window.
#include "tools/ringleader_trace/rollouts.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "fsm/cause.h"

namespace ringleader::trace_tool {
namespace {

// pid of the new worker → index of the old worker it replaced (from the old one's drain cause).
std::map<int, size_t> ReplacedWorkers(const TraceModel& model) {
  std::map<int, size_t> out;
  for (size_t i = 0; i < model.workers.size(); ++i) {
    for (const Phase& p : model.workers[i].phases) {
      if (p.state != WorkerState::kDraining) continue;
      const std::optional<DrainCause> cause = ParseDrainCause(p.cause);
      if (cause && cause->kind == DrainKind::kReplacedBy) out[cause->pid] = i;
    }
  }
  return out;
}

std::vector<std::vector<size_t>> GroupBirths(const TraceModel& model) {
  std::vector<std::vector<size_t>> groups;
  std::set<int> slots;
  bool stopped = false;
  for (size_t i = 0; i < model.workers.size(); ++i) {  // in birth order
    const WorkerHistory& w = model.workers[i];
    if (w.birth_kind() != BirthKind::kRollingRestart) continue;
    if (groups.empty() || stopped || slots.count(w.slot) > 0) {
      groups.emplace_back();
      slots.clear();
      stopped = false;
    }
    groups.back().push_back(i);
    slots.insert(w.slot);
    stopped = w.dead() && !w.EnteredAt(WorkerState::kListening).has_value();
  }
  return groups;
}

void MeasureServing(const std::vector<ServingStep>& steps, Rollout& r) {
  for (const ServingStep& s : steps) {
    if (s.t_ns >= r.start_ns) break;
    r.serving_before = s.serving;
  }
  r.serving_min = r.serving_before;
  r.serving_min_at = r.start_ns;
  for (const ServingStep& s : steps) {
    if (s.t_ns < r.start_ns) continue;
    if (s.t_ns > r.end_ns) break;
    if (s.serving < r.serving_min) {
      r.serving_min = s.serving;
      r.serving_min_at = s.t_ns;
    }
  }
}

}  // namespace

std::vector<Rollout> FindRollouts(const TraceModel& model) {
  const std::map<int, size_t> replaced = ReplacedWorkers(model);
  const std::vector<ServingStep> steps = ServingOverTime(model);
  std::vector<Rollout> out;
  for (const std::vector<size_t>& group : GroupBirths(model)) {
    Rollout r;
    r.new_workers = group;
    r.start_ns = model.workers[group.front()].phases.front().start_ns;
    r.end_ns = r.start_ns;
    bool old_all_dead = true;
    bool found_old = false;
    int64_t old_gone = r.start_ns;
    for (size_t i : group) {
      const WorkerHistory& w = model.workers[i];
      if (std::optional<int64_t> listening = w.EnteredAt(WorkerState::kListening)) {
        ++r.slots_replaced;
        r.end_ns = std::max(r.end_ns, *listening);
      } else if (w.dead()) {
        r.end_ns = std::max(r.end_ns, w.phases.back().start_ns);
        r.stopped = absl::StrCat("slot ", w.slot, ": new worker pid ", w.pid, " exited (",
                                 w.exit().status, ") before listening");
      } else {
        r.end_ns = model.last_ns;
        r.complete_in_trace = false;
      }
      if (auto old = replaced.find(w.pid); old != replaced.end()) {
        const WorkerHistory& o = model.workers[old->second];
        found_old = true;
        if (o.dead()) {
          old_gone = std::max(old_gone, o.phases.back().start_ns);
        } else {
          old_all_dead = false;
        }
      }
    }
    if (found_old && old_all_dead) r.old_gone_ns = old_gone;
    MeasureServing(steps, r);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace ringleader::trace_tool
