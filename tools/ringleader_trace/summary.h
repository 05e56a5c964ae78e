// --summary: counts and latencies of a trace — how long each lifecycle step takes (p50/p95/p99/max),
// how long a dead worker's slot stays without a listening replacement, why workers were
// restarted, crash loops, parked slots, and each rolling restart's length and worst moment.
//
//   const Summary summary = Summarise(builder.model(), /*skipped_lines=*/2);
//   std::cout << RenderSummary(summary);
//
// Percentiles are nearest-rank over every sample (no interpolation): p50 of {1,2,3,4} is 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tools/ringleader_trace/rollouts.h"
#include "tools/ringleader_trace/trace_model.h"

namespace ringleader::trace_tool {

struct LatencyStats {
  std::string name;
  std::vector<int64_t> samples;              // sorted, nanoseconds
  int64_t Percentile(double percent) const;  // nearest rank; 0 when there are no samples
  int64_t max() const { return samples.empty() ? 0 : samples.back(); }
};

// A slot whose workers died quickly one after another (the primary restarted them with
// backoff, and may have parked the slot).
struct CrashLoop {
  int slot = 0;
  std::vector<size_t> workers;        // the quick deaths, in generation order
  std::vector<std::string> backoffs;  // "92 ms", as the exit records planned them
  bool parked = false;
};

struct ParkedSlot {
  int slot = 0;
  int64_t at_ns = 0;
  std::string why;          // "crash loop", "fatal exit code"
  int64_t revived_ns = -1;  // a later worker in that slot was born then (-1: never)
  std::string revived_by;   // that worker's birth cause
};

struct Summary {
  int records = 0;
  int skipped_lines = 0;
  int workers = 0;
  int slots = 0;
  int64_t first_ns = 0;
  int64_t span_ns = 0;
  // fork → online, online → listening, listening → draining, draining → dead, and
  // replacement: a worker's exit → its slot's next generation listening.
  std::vector<LatencyStats> latencies;
  std::vector<std::pair<std::string, int>> ends;               // EndKind name → workers
  std::vector<std::pair<std::string, int>> restarts_by_cause;  // in order of first occurrence
  std::vector<CrashLoop> crash_loops;
  std::vector<ParkedSlot> parked;
  std::vector<Rollout> rollouts;
};

Summary Summarise(const TraceModel& model, int skipped_lines);

// The human-readable report (a fixed layout: golden tests compare it byte for byte).
std::string RenderSummary(const Summary& summary, const TraceModel& model);

}  // namespace ringleader::trace_tool
