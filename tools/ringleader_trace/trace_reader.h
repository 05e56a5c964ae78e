// TraceReader: the lines of a lifecycle trace (fsm/trace.h format), numbered from 1 and parsed
// with one reusable TraceParser. It reads a file or stdin line by line, so it can follow a live
// `tail -f` of a trace: each line is handed out as soon as its newline arrives.
//
//   absl::StatusOr<std::unique_ptr<std::istream>> in = OpenTraceInput(path);  // "-": stdin
//   if (!in.ok()) return in.status();
//   TraceReader reader(**in);
//   while (std::optional<TraceLine> line = reader.Next()) {
//     if (!line->record.ok()) Warn(line->number, line->record.status().message());
//   }
//   if (!reader.status().ok()) ...   // the stream itself failed (not a bad record)
//
// A bad line is a bad record, not the end: reading goes on. A last line with no newline that
// does not parse is reported as a truncated file.
#pragma once

#include <istream>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fsm/trace.h"

namespace ringleader::trace_tool {

struct TraceLine {
  int number = 0;                      // 1-based line number in the input
  absl::StatusOr<TraceRecord> record;  // InvalidArgument: why this line is not a record
};

// "-" is stdin; anything else a file, opened for reading. NotFound/PermissionDenied/... with the
// path and the system's reason when it cannot be opened.
absl::StatusOr<std::unique_ptr<std::istream>> OpenTraceInput(const std::string& path);

class TraceReader {
 public:
  explicit TraceReader(std::istream& in) : in_(in) {}

  // The next line, or nullopt at the end of the input (or after a read error: see status()).
  std::optional<TraceLine> Next();

  // OK unless the stream failed for a reason other than reaching its end.
  absl::Status status() const { return status_; }

 private:
  std::istream& in_;
  TraceParser parser_;
  std::string buffer_;
  int number_ = 0;
  absl::Status status_;
};

}  // namespace ringleader::trace_tool
