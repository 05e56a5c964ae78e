// Lifecycle trace records: one JSON line per worker transition. The format is an interface
// (README "Trace format"); ringleader writes it and ringleader-trace reads it.
//
//   {"t_ns":81234,"slot":0,"gen":2,"pid":4242,"from":"online","to":"listening",
//    "event":"listening_message","cause":""}
//
// `from` is null on a worker's first record (its birth, event "forked"). `t_ns` is
// CLOCK_MONOTONIC in nanoseconds. `cause` is free text (exit status, who asked for a drain).
//
// Reading many lines: keep one TraceParser, so its buffers are reused rather than allocated
// per line (ParseTraceLine is the one-off form):
//
//   TraceParser parser;
//   while (std::getline(in, line)) {
//     absl::StatusOr<TraceRecord> record = parser.Parse(line);
//     ...
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "fsm/lifecycle.h"

namespace ringleader {

struct TraceRecord {
  int64_t t_ns = 0;
  int slot = 0;
  uint32_t generation = 0;
  int pid = 0;
  std::optional<WorkerState> from;  // nullopt: birth
  WorkerState to = WorkerState::kForking;
  WorkerEvent event = WorkerEvent::kForked;
  std::string cause;
};

// One line of JSON, newline included.
std::string FormatTraceLine(const TraceRecord& record);

// Parses one line (with or without its newline). InvalidArgument says what is wrong.
// Validates the whole line as JSON, not only the fields it reads.
absl::StatusOr<TraceRecord> ParseTraceLine(std::string_view line);

// A reusable trace-line parser: holds one simdjson DOM parser, whose buffers grow to the longest
// line seen and are then reused. Same contract as ParseTraceLine. Not thread-safe; movable.
class TraceParser {
 public:
  TraceParser();
  ~TraceParser();
  TraceParser(TraceParser&&) noexcept;
  TraceParser& operator=(TraceParser&&) noexcept;

  absl::StatusOr<TraceRecord> Parse(std::string_view line);

 private:
  struct Impl;  // keeps simdjson out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace ringleader
