// Test helper: short synthetic traces for the ringleader-trace unit tests, with times in
// milliseconds.
//
//   TraceScript t;
//   t.Birth(0, /*slot=*/0, /*gen=*/1, /*pid=*/100, "start");
//   t.Step(15, 0, 1, 100, WorkerState::kOnline, WorkerEvent::kOnlineMessage);
//   const TraceModel& model = t.model();
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fsm/trace.h"
#include "tools/ringleader_trace/trace_model.h"

namespace ringleader::trace_tool {

class TraceScript {
 public:
  // A birth: null → forking.
  TraceScript& Birth(int64_t t_ms, int slot, uint32_t gen, int pid, std::string cause) {
    return Add({t_ms * 1'000'000, slot, gen, pid, std::nullopt, WorkerState::kForking,
                WorkerEvent::kForked, std::move(cause)});
  }
  // A step from the worker's current state (as this script last left it).
  TraceScript& Step(int64_t t_ms, int slot, uint32_t gen, int pid, WorkerState to,
                    WorkerEvent event, std::string cause = "") {
    std::optional<WorkerState> from;
    for (const TraceRecord& r : records_) {
      if (r.slot == slot && r.generation == gen && r.pid == pid) from = r.to;
    }
    return Add({t_ms * 1'000'000, slot, gen, pid, from, to, event, std::move(cause)});
  }
  // forking → online → listening, 15 ms and 1 ms apart, from `t_ms`.
  TraceScript& Start(int64_t t_ms, int slot, uint32_t gen, int pid, std::string cause) {
    Birth(t_ms, slot, gen, pid, std::move(cause));
    Step(t_ms + 15, slot, gen, pid, WorkerState::kOnline, WorkerEvent::kOnlineMessage);
    return Step(t_ms + 16, slot, gen, pid, WorkerState::kListening, WorkerEvent::kListeningMessage);
  }
  // listening → draining (drain_requested) → dead (code 0) `drain_ms` later.
  TraceScript& Drain(int64_t t_ms, int slot, uint32_t gen, int pid, std::string why,
                     int64_t drain_ms = 5) {
    Step(t_ms, slot, gen, pid, WorkerState::kDraining, WorkerEvent::kDrainRequested,
         std::move(why));
    return Step(t_ms + drain_ms, slot, gen, pid, WorkerState::kDead, WorkerEvent::kExited,
                "code 0");
  }
  TraceScript& Add(TraceRecord r) {
    records_.push_back(r);
    builder_.Add(static_cast<int>(records_.size()), r);
    return *this;
  }

  const TraceModel& model() const { return builder_.model(); }
  const std::vector<TraceRecord>& records() const { return records_; }
  std::string Text() const {
    std::string out;
    for (const TraceRecord& r : records_) out += FormatTraceLine(r);
    return out;
  }

 private:
  std::vector<TraceRecord> records_;
  TraceModelBuilder builder_;
};

}  // namespace ringleader::trace_tool
