// ChildOutput: the read → split → prefix → bounded queue → write pipeline, and its error policy.
#include "cluster/child_output.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "absl/strings/str_cat.h"
#include "cluster/log_lines.h"

namespace ringleader {
namespace {

// One read takes at most this much; a pipe holds 64 KiB by default.
constexpr unsigned kReadChunk = 16 * 1024;

}  // namespace

ChildOutput::ChildOutput(UniqueFd source, int destination, int slot, pid_t pid,
                         OnFinished on_finished)
    : source_(std::move(source)),
      destination_(destination),
      slot_(slot),
      pid_(pid),
      prefix_(LinePrefix(slot, pid, false)),
      continuation_prefix_(LinePrefix(slot, pid, true)),
      on_finished_(std::move(on_finished)),
      read_buffer_(new char[kReadChunk]),
      read_([this](int res, uint32_t) noexcept { OnRead(res); }),
      readable_([this](int res, uint32_t) noexcept { OnReadable(res); }),
      write_([this](int res, uint32_t) noexcept { OnWrite(res); }),
      writable_([this](int res, uint32_t) noexcept { OnWritable(res); }) {}

std::string ChildOutput::LinePrefix(int slot, pid_t pid, bool continuation) {
  return absl::StrCat("[slot ", slot, " pid ", pid, continuation ? "]+ " : "] ");
}

void ChildOutput::Start(Ring& ring) noexcept {
  ring_ = &ring;
  phase_ = Phase::kReading;
  ArmRead();
}

void ChildOutput::Stop() noexcept {
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kFinished:
    case Phase::kStopping:
      return;
    case Phase::kReading:
    case Phase::kFlushing:
      break;
  }
  phase_ = Phase::kStopping;
  pending_.clear();
  for (Op* op : {static_cast<Op*>(&read_), static_cast<Op*>(&readable_),
                 static_cast<Op*>(&write_), static_cast<Op*>(&writable_)}) {
    ring_->Cancel(*op);
  }
  MaybeFinish();
}

bool ChildOutput::in_flight() const noexcept {
  return read_.in_flight() || readable_.in_flight() || write_.in_flight() ||
         writable_.in_flight();
}

// --- The source ---

void ChildOutput::ArmRead() noexcept {
  read_.Arm(*ring_, source_.get(), read_buffer_.get(), kReadChunk);
}

void ChildOutput::OnRead(int res) noexcept {
  if (phase_ == Phase::kStopping) return MaybeFinish();
  if (res > 0) {
    TakeBytes(std::string_view(read_buffer_.get(), static_cast<size_t>(res)));
    return ArmRead();
  }
  // Where the kernel answers EAGAIN for an O_NONBLOCK pipe instead of polling internally
  // (6.x polls; older kernels and other file types may not), wait for it with a poll op.
  if (res == -EAGAIN) return readable_.Arm(*ring_, source_.get(), POLLIN);
  if (res == -EINTR) return ArmRead();
  // 0 is EOF (every writer, the child included, closed its end); any other error would repeat
  // forever (EBADF, EIO): the source is over either way.
  OnSourceEnd();
}

void ChildOutput::OnReadable(int res) noexcept {
  if (phase_ == Phase::kStopping) return MaybeFinish();
  // POLLIN or POLLHUP: the read tells which. A failed poll means the source is unusable.
  if (res < 0 && res != -EINTR) return OnSourceEnd();
  ArmRead();
}

void ChildOutput::OnSourceEnd() noexcept {
  if (!partial_.empty() || in_long_line_) Emit(partial_, /*line_ends=*/true);
  partial_.clear();
  source_.Reset();
  phase_ = Phase::kFlushing;
  MaybeFinish();
}

void ChildOutput::TakeBytes(std::string_view data) noexcept {
  while (!data.empty()) {
    const size_t newline = data.find('\n');
    partial_.append(data.substr(0, newline));
    data.remove_prefix(newline == std::string_view::npos ? data.size() : newline + 1);
    // Whole pieces of an overlong line leave at once, so partial_ stays within kMaxLine plus
    // one read.
    while (partial_.size() > kMaxLine) {
      Emit(std::string_view(partial_).substr(0, kMaxLine), /*line_ends=*/false);
      partial_.erase(0, kMaxLine);
    }
    if (newline == std::string_view::npos) break;
    std::string_view line = partial_;
    if (line.ends_with('\r')) line.remove_suffix(1);  // CRLF: the prefix goes before a clean line
    Emit(line, /*line_ends=*/true);
    partial_.clear();
  }
}

void ChildOutput::Emit(std::string_view piece, bool line_ends) noexcept {
  Queue(in_long_line_ ? continuation_prefix_ : prefix_, piece);
  in_long_line_ = !line_ends;
}

// --- The destination ---

void ChildOutput::Queue(std::string_view prefix, std::string_view piece) noexcept {
  const size_t size = prefix.size() + piece.size() + 1;
  if (destination_failed_ || queued_bytes() + size > kMaxQueued) return CountDropped(size);
  pending_.append(prefix).append(piece).push_back('\n');
  KickWriter();
}

void ChildOutput::CountDropped(size_t bytes) noexcept {
  dropped_bytes_ += bytes;
  if (IsPowerOfTen(++drops_)) LogChildOutputDropped(pid_, slot_, drops_, dropped_bytes_);
}

void ChildOutput::KickWriter() noexcept {
  if (write_.in_flight() || writable_.in_flight()) return;
  if (written_ == writing_.size()) {
    if (pending_.empty()) return MaybeFinish();
    writing_.swap(pending_);  // pending_ keeps writing_'s old capacity for the next lines
    pending_.clear();
    written_ = 0;
  }
  const size_t left = std::min<size_t>(writing_.size() - written_, UINT_MAX);
  write_.Arm(*ring_, destination_, writing_.data() + written_, static_cast<unsigned>(left));
}

void ChildOutput::OnWrite(int res) noexcept {
  if (phase_ == Phase::kStopping) return MaybeFinish();
  if (res > 0) {
    written_ += static_cast<size_t>(res);
    return KickWriter();
  }
  // The destination is O_NONBLOCK and full (on kernels that say so instead of polling
  // internally): wait until it takes bytes again.
  if (res == -EAGAIN) return writable_.Arm(*ring_, destination_, POLLOUT);
  if (res == -EINTR) return KickWriter();
  // EPIPE, EBADF, ENOSPC, or a write that took nothing: retrying would fail the same way.
  destination_failed_ = true;
  CountDropped(queued_bytes());
  pending_.clear();
  writing_.clear();
  written_ = 0;
  MaybeFinish();
}

void ChildOutput::OnWritable(int) noexcept {
  if (phase_ == Phase::kStopping) return MaybeFinish();
  KickWriter();  // a poll error shows up again as the write's own error
}

void ChildOutput::MaybeFinish() noexcept {
  if (in_flight()) return;
  switch (phase_) {
    case Phase::kIdle:
    case Phase::kReading:
    case Phase::kFinished:
      return;
    case Phase::kFlushing:
      if (queued_bytes() != 0) return;
      break;
    case Phase::kStopping:
      writing_.clear();  // no write is in flight any more: its bytes may go
      written_ = 0;
      break;
  }
  phase_ = Phase::kFinished;
  on_finished_();
}

}  // namespace ringleader
