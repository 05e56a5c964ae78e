// TraceWriter: appends lifecycle trace lines (fsm/trace.h) to the --trace file through the
// ring, one write in flight at a time, so the primary's loop never blocks on the disk.
//
//   RL_ASSIGN_OR_RETURN(auto trace, TraceWriter::Open(ring, "/var/log/rl.trace"));
//   trace->Append(FormatTraceLine(record));
//   if (trace->idle()) ...   // everything handed to the kernel has been written
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "core/ops.h"
#include "core/unique_fd.h"

namespace ringleader {

class TraceWriter {
 public:
  // Creates or truncates `path`.
  static absl::StatusOr<std::unique_ptr<TraceWriter>> Open(Ring& ring, const std::string& path);

  void Append(std::string_view line) noexcept;
  bool idle() const noexcept { return !write_op_.in_flight() && pending_.empty(); }
  // Runs whenever the writer becomes idle (the primary waits for it before exiting).
  void OnIdle(absl::AnyInvocable<void()> callback) { on_idle_ = std::move(callback); }

 private:
  TraceWriter(Ring& ring, UniqueFd fd);
  void Flush() noexcept;
  void OnWritten(int res) noexcept;

  Ring& ring_;
  UniqueFd fd_;
  WriteOp write_op_;
  std::string pending_;
  std::string writing_;
  size_t written_ = 0;
  absl::AnyInvocable<void()> on_idle_;
};

}  // namespace ringleader
