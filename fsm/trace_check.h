// TraceChecker: replays lifecycle trace records against the transition table the primary uses
// (ApplyEvent) and reports every violation with its line number. Pure; ringleader-trace and the
// integration tests use it.
//
// What it checks: every worker is born first (null → forking, event forked); each later record
// starts from the state the worker is in and is a legal step to the state it names; time never
// goes backwards; a pid is never alive twice, a (slot, generation) names one worker, and a slot's
// generations only grow; every worker ends dead, or is alive when Finish is called.
//
//   TraceChecker checker;
//   for (each line n) checker.Add(n, ParseTraceLine(line));   // parse errors count too
//   checker.Finish(/*alive=*/{});                             // pids still running, if known
//   for (const auto& v : checker.violations()) std::cout << v.line << ": " << v.what << "\n";
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "fsm/trace.h"

namespace ringleader {

struct TraceViolation {
  int line = 0;
  std::string what;
};

class TraceChecker {
 public:
  void Add(int line, const absl::StatusOr<TraceRecord>& record);
  // Workers that never reached `dead` are violations unless their pid is in `alive`
  // (a trace of a running cluster) — pass every pid when the cluster is still up.
  void Finish(const std::set<int>& alive);

  const std::vector<TraceViolation>& violations() const { return violations_; }
  bool ok() const { return violations_.empty(); }

 private:
  struct Worker {
    WorkerState state = WorkerState::kForking;
    int last_line = 0;
  };
  using Key = std::tuple<int, uint32_t, int>;  // slot, generation, pid

  std::map<Key, Worker> workers_;
  std::map<int, Key> live_by_pid_;
  std::map<std::pair<int, uint32_t>, std::pair<int, int>> pid_of_generation_;  // → pid, line
  std::map<int, uint32_t> last_generation_;                                    // by slot
  int64_t last_t_ns_ = INT64_MIN;  // the latest time so far, and its line
  int last_t_line_ = 0;
  std::vector<TraceViolation> violations_;
};

}  // namespace ringleader
