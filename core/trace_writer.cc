// Ring-driven append-only writer for the lifecycle trace.
#include "core/trace_writer.h"

#include <fcntl.h>

#include <cerrno>
#include <cstdio>

#include "core/status.h"

namespace ringleader {

TraceWriter::TraceWriter(Ring& ring, UniqueFd fd)
    : ring_(ring), fd_(std::move(fd)), write_op_([this](int res, uint32_t) noexcept {
        OnWritten(res);
      }) {}

absl::StatusOr<std::unique_ptr<TraceWriter>> TraceWriter::Open(Ring& ring,
                                                               const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
  if (!fd) return ErrnoStatus(errno, "open --trace " + path);
  return std::unique_ptr<TraceWriter>(new TraceWriter(ring, std::move(fd)));
}

void TraceWriter::Append(std::string_view line) noexcept {
  pending_.append(line);
  Flush();
}

void TraceWriter::Flush() noexcept {
  if (write_op_.in_flight()) return;
  if (written_ == writing_.size()) {
    if (pending_.empty()) {
      if (on_idle_) on_idle_();
      return;
    }
    writing_.swap(pending_);
    pending_.clear();
    written_ = 0;
  }
  write_op_.Arm(ring_, fd_.get(), writing_.data() + written_,
                static_cast<unsigned>(writing_.size() - written_));
}

void TraceWriter::OnWritten(int res) noexcept {
  if (res < 0 && res != -EINTR && res != -EAGAIN) {
    // A full disk must not stop the supervisor: say so once per failed batch and drop it.
    std::fprintf(stderr, "ringleader: trace write failed: %s\n", ErrnoStatus(-res, "write").ToString().c_str());
    written_ = writing_.size();
  } else if (res > 0) {
    written_ += static_cast<size_t>(res);
  }
  Flush();
}

}  // namespace ringleader
