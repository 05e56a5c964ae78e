// The default output: a per-worker timeline in the terminal. One block per worker generation —
// slot, generation, pid, why it was started, each state with its start time and how long it
// lasted, escalations (watchdog, drain or ready timeout), and how it ended.
//
//   std::cout << TimelineHeader(model.first_ns);
//   for (size_t i : model.BySlot()) std::cout << RenderWorker(model.workers[i], model);
//
//   slot 0  gen 1  pid 19591  (start)
//       +0.000s  forking       15.7 ms
//       +0.016s  online       0.093 ms
//       +0.016s  listening    1.986 s
//       +2.002s  draining       1.8 ms  watchdog_timeout: no heartbeat for 1185 ms
//       +2.004s  dead                   exited: SIGKILL; restart now
//     ended +2.004s: killed by the watchdog (no heartbeat for 1185 ms), SIGKILL; restart now
#pragma once

#include <cstdint>
#include <string>

#include "tools/ringleader_trace/trace_model.h"

namespace ringleader::trace_tool {

// The line that says what every time is relative to.
std::string TimelineHeader(int64_t first_ns);

// One worker's block, blank line included. A state still current at the end of the trace shows
// its duration so far as ">…"; a state entered before the trace began shows its start as "<…".
std::string RenderWorker(const WorkerHistory& worker, const TraceModel& model);

// How it ended, in words: "drained, code 0", "crashed while forking, code 1; restart in 92 ms",
// "killed by the watchdog (no heartbeat for 1185 ms), SIGKILL; restart now", "still listening".
std::string DescribeEnd(const WorkerHistory& worker);

}  // namespace ringleader::trace_tool
