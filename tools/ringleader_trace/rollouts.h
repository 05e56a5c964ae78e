// Rolling restarts found in a trace: which new workers each one started, how long it took, and
// how many workers were serving at its worst moment (the zero-downtime claim, measured).
//
//   for (const Rollout& r : FindRollouts(model)) {
//     std::cout << FormatDuration(r.end_ns - r.start_ns) << ", serving at worst "
//               << r.serving_min << " of " << r.serving_before << "\n";
//   }
//
// A rollout is a run of births with cause "rolling restart", one slot after another; it ends
// when a slot comes round again (a coalesced second rollout) or a new worker dies before
// listening (the primary stops the rollout there and keeps the old workers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/ringleader_trace/trace_model.h"

namespace ringleader::trace_tool {

struct Rollout {
  int64_t start_ns = 0;                // the first new worker forked
  int64_t end_ns = 0;                  // the last new worker listening, or the one that failed
  std::optional<int64_t> old_gone_ns;  // the last replaced worker dead (nullopt: one still alive)
  std::vector<size_t> new_workers;     // indices into TraceModel::workers, in slot order
  int slots_replaced = 0;              // new workers that reached listening
  std::string stopped;                 // empty, or why it stopped early
  bool complete_in_trace = true;       // false: the trace ends while it still runs
  int serving_before = 0;              // workers listening just before it started
  int serving_min = 0;                 // the fewest listening at any moment from start to end
  int64_t serving_min_at = 0;
};

std::vector<Rollout> FindRollouts(const TraceModel& model);

}  // namespace ringleader::trace_tool
