// TraceModel: a lifecycle trace regrouped per worker generation — which states each worker went
// through, when, and how it ended. Built one record at a time, so a live trace (`tail -f`) can be
// followed; the timeline, the summary and the SVG all read it.
//
//   TraceModelBuilder builder;
//   for (each parsed record r on line n) {
//     if (std::optional<size_t> died = builder.Add(n, r)) Print(builder.model().workers[*died]);
//   }
//   for (size_t i : builder.model().BySlot()) ...   // slot, then generation order
//
// The builder accepts any sequence of records, legal or not (checking is fsm::TraceChecker's
// job): a worker whose birth is not in the trace — a trace read from its middle — starts in the
// state its first record leaves, at the start of the trace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fsm/cause.h"
#include "fsm/trace.h"

namespace ringleader::trace_tool {

// A stretch of time in one state.
struct Phase {
  WorkerState state = WorkerState::kForking;
  int64_t start_ns = 0;
  bool start_known = true;  // false: already in this state when the trace begins
  int line = 0;             // the record that entered it
  WorkerEvent event = WorkerEvent::kForked;
  std::string cause;
};

// A record that kept the worker's state: an escalation, such as a drain timeout's kill.
struct Mark {
  int64_t t_ns = 0;
  int line = 0;
  WorkerEvent event = WorkerEvent::kDrainTimeout;
  std::string cause;
};

// How a worker generation's life ended.
enum class EndKind : uint8_t {
  kAlive,             // no `dead` record (yet)
  kDrained,           // asked to drain (rollout, shutdown, scale-down) and exited by itself
  kCrashed,           // exited without being asked to: signal, error code, fatal code
  kWatchdogKill,      // killed because its heartbeats stopped
  kDrainTimeoutKill,  // killed because it did not finish draining in time
  kReadyTimeoutKill,  // killed because it did not reach listening in time
};
std::string_view EndKindName(EndKind kind);


struct WorkerHistory {
  int slot = 0;
  uint32_t generation = 0;
  int pid = 0;
  bool born_in_trace = false;
  std::string birth_cause;        // "start", "rolling restart", "replace pid N (SIGKILL)", ...
  std::vector<Phase> phases;      // in time order, never empty
  std::vector<Mark> marks;        // records that kept the state
  std::vector<Mark> escalations;  // watchdog, drain and ready timeouts, whether or not they
                                  // changed the state

  bool dead() const { return phases.back().state == WorkerState::kDead; }
  WorkerState state() const { return phases.back().state; }
  // When it first entered `state` (only if the trace shows it entering).
  std::optional<int64_t> EnteredAt(WorkerState state) const;
  // The exit record's cause, status and plan (fsm/cause.h); empty while alive.
  ExitCause exit() const;
  // Why it was born, when the birth is in the trace and its cause is one the primary writes.
  std::optional<BirthKind> birth_kind() const;
  // The state it was in when it exited (nullopt while alive).
  std::optional<WorkerState> DiedIn() const;
  EndKind end() const;
  // The first escalation (watchdog/drain/ready timeout), if any.
  const Mark* Escalation() const { return escalations.empty() ? nullptr : &escalations.front(); }
};

struct TraceModel {
  std::vector<WorkerHistory> workers;  // in order of first appearance
  int64_t first_ns = 0;                // time of the first record: every offset is from here
  int64_t last_ns = 0;                 // the latest time seen
  int records = 0;

  // Indices of `workers` ordered by slot, generation, pid.
  std::vector<size_t> BySlot() const;
};

// After each record that changes it: how many workers are `listening` (serving new connections).
struct ServingStep {
  int64_t t_ns = 0;
  int serving = 0;
};
std::vector<ServingStep> ServingOverTime(const TraceModel& model);

class TraceModelBuilder {
 public:
  // Adds one record (already parsed) from line `line`. Returns the index of the worker when this
  // record is its death, so a follower can print it at once.
  std::optional<size_t> Add(int line, const TraceRecord& record);

  const TraceModel& model() const { return model_; }

 private:
  using Key = std::tuple<int, uint32_t, int>;  // slot, generation, pid
  TraceModel model_;
  std::map<Key, size_t> index_;
};

}  // namespace ringleader::trace_tool
