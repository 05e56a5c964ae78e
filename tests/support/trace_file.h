// Reads a lifecycle trace file (fsm/trace.h format) for assertions in integration tests.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "fsm/trace.h"

namespace ringleader::testing {

struct TraceFile {
  std::vector<TraceRecord> records;
  std::vector<std::string> errors;  // "line N: why" for every line that did not parse

  // Records of one worker (by pid), in file order.
  std::vector<TraceRecord> ForPid(int pid) const;
  // "from>to" for each record of `pid` ("null>forking", "forking>online", ...).
  std::vector<std::string> Path(int pid) const;
};

TraceFile ReadTraceFile(const std::string& path);

// Replays the trace through fsm's TraceChecker: "line N: what" for each violation. `alive` are
// the pids still running (they need not have reached dead).
std::vector<std::string> TraceViolations(const std::string& path, const std::set<int>& alive);

}  // namespace ringleader::testing
