// Trace replay: birth first, legal steps only, monotonic time, one state per worker.
#include "fsm/trace_check.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {

void TraceChecker::Add(int line, const absl::StatusOr<TraceRecord>& parsed) {
  if (!parsed.ok()) {
    violations_.push_back({line, absl::StrCat("unreadable record: ", parsed.status().message())});
    return;
  }
  const TraceRecord& r = *parsed;
  if (r.t_ns < last_t_ns_) {
    violations_.push_back(
        {line, absl::StrCat("time goes backwards: t_ns ", r.t_ns, " is ", last_t_ns_ - r.t_ns,
                            " ns before line ", last_t_line_, "'s ", last_t_ns_)});
  } else {
    last_t_ns_ = r.t_ns;
    last_t_line_ = line;
  }

  const Key key{r.slot, r.generation, r.pid};
  auto it = workers_.find(key);
  if (!r.from.has_value()) {
    if (it != workers_.end()) {
      violations_.push_back({line, absl::StrCat("pid ", r.pid, " is born twice")});
      return;
    }
    if (r.event != WorkerEvent::kForked || r.to != WorkerState::kForking) {
      violations_.push_back({line, "a birth record must be forked → forking"});
    }
    if (auto other = live_by_pid_.find(r.pid); other != live_by_pid_.end()) {
      violations_.push_back({line, absl::StrCat("pid ", r.pid, " is reborn while still alive")});
    }
    const auto [owner, fresh] = pid_of_generation_.try_emplace({r.slot, r.generation}, r.pid, line);
    if (!fresh) {
      violations_.push_back(
          {line, absl::StrCat("slot ", r.slot, " gen ", r.generation, " is already pid ",
                              owner->second.first, " (line ", owner->second.second, ")")});
    } else if (auto last = last_generation_.find(r.slot);
               last != last_generation_.end() && r.generation < last->second) {
      violations_.push_back(
          {line, absl::StrCat("slot ", r.slot, " gen ", r.generation, " is born after gen ",
                              last->second, " (generations only grow)")});
    }
    uint32_t& newest = last_generation_[r.slot];
    newest = std::max(newest, r.generation);
    workers_[key] = {r.to, line};
    live_by_pid_[r.pid] = key;
    return;
  }
  if (it == workers_.end()) {
    violations_.push_back({line, absl::StrCat("pid ", r.pid, " (slot ", r.slot, " gen ",
                                              r.generation, ") has no birth record")});
    return;
  }
  Worker& w = it->second;
  if (*r.from != w.state) {
    violations_.push_back(
        {line, absl::StrCat("pid ", r.pid, " moves from ", Absl(StateName(*r.from)), " but is in ",
                            Absl(StateName(w.state)), " (line ", w.last_line, ")")});
  }
  const Step step = ApplyEvent(*r.from, r.event);
  if (!step.legal) {
    violations_.push_back({line, absl::StrCat("illegal: ", Absl(EventName(r.event)), " in ",
                                              Absl(StateName(*r.from)))});
  } else if (step.next != r.to) {
    violations_.push_back(
        {line,
         absl::StrCat(Absl(EventName(r.event)), " in ", Absl(StateName(*r.from)), " leads to ",
                      Absl(StateName(step.next)), ", not ", Absl(StateName(r.to)))});
  }
  w.state = r.to;
  w.last_line = line;
  if (r.to == WorkerState::kDead) live_by_pid_.erase(r.pid);
}

void TraceChecker::Finish(const std::set<int>& alive) {
  for (const auto& [key, w] : workers_) {
    const int pid = std::get<2>(key);
    if (w.state != WorkerState::kDead && alive.count(pid) == 0) {
      violations_.push_back(
          {w.last_line, absl::StrCat("pid ", pid, " ends in ", Absl(StateName(w.state)),
                                     ", never dead and not alive")});
    }
  }
}

}  // namespace ringleader
