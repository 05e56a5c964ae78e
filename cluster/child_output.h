// ChildOutput: one child's stdout or stderr, copied line by line onto one of the primary's own
// streams with the child named in front, like `pm2 logs`:
//
//   [slot 1 pid 1234] listening on fd 3
//   [slot 1 pid 1234]+ ...the rest of a line longer than 16 KiB
//
//   child_stdout_ = std::make_unique<ChildOutput>(std::move(stdout_read_end), STDOUT_FILENO,
//                                                 slot, pid, [this]() noexcept { OnDone(); });
//   child_stdout_->Start(*ring_);
//   // the child exits: EOF, the partial last line is flushed, then on_finished runs
//   child_stdout_->Stop();    // or give up now: pending output is discarded, on_finished follows
//
// It never blocks the loop: the pipe is read and the destination written through the ring (a
// descriptor that answers EAGAIN is waited for with a poll op), and what the destination has
// not taken yet is bounded (kMaxQueued). A piece that does not fit is dropped whole and counted
// in dropped_bytes(), with a log line on the 1st, 10th, 100th... drop. Lines reach the
// destination whole, in order; one write carries many lines.
//
// Like every op owner it must outlive its ops: destroy it only once in_flight() is false (after
// on_finished, or before Start).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/unique_fd.h"

namespace ringleader {

class ChildOutput {
 public:
  // A line longer than this goes out in pieces of this size, the later ones marked "]+ ".
  static constexpr size_t kMaxLine = 16 * 1024;
  // Bytes accepted and not yet taken by the destination; past it, pieces are dropped.
  static constexpr size_t kMaxQueued = 256 * 1024;
  // Runs once, when the source reached EOF and everything queued is written (or dropped), or
  // after Stop() once no op is in flight. The owner may destroy the object from it (through
  // Ring::Defer when it is inside its own handler).
  using OnFinished = absl::AnyInvocable<void() noexcept>;

  // `source`: the read end of the child's stdout or stderr pipe (blocking or O_NONBLOCK), owned.
  // `destination`: borrowed (the primary's stdout or stderr); it must outlive this object.
  ChildOutput(UniqueFd source, int destination, int slot, pid_t pid, OnFinished on_finished);
  ChildOutput(const ChildOutput&) = delete;
  ChildOutput& operator=(const ChildOutput&) = delete;

  // "[slot 1 pid 1234] ", or "[slot 1 pid 1234]+ " for the continuation of a split line.
  static std::string LinePrefix(int slot, pid_t pid, bool continuation);

  // Starts reading. Call once.
  void Start(Ring& ring) noexcept;
  // Cancels every op and discards what is queued; on_finished follows once none is in flight
  // (at once, inside Stop, when none is). Idempotent; no-op once finished.
  void Stop() noexcept;

  // True while any of its ops is in flight.
  bool in_flight() const noexcept;
  bool finished() const noexcept { return phase_ == Phase::kFinished; }
  uint64_t dropped_bytes() const noexcept { return dropped_bytes_; }
  // Bytes accepted for the destination and not written yet (never above kMaxQueued).
  size_t queued_bytes() const noexcept { return pending_.size() + writing_.size() - written_; }

 private:
  enum class Phase {
    kIdle,      // constructed, not started
    kReading,   // copying lines
    kFlushing,  // the source hit EOF: writing what is queued
    kStopping,  // Stop(): waiting for cancelled ops
    kFinished,  // on_finished ran
  };

  void ArmRead() noexcept;
  void OnRead(int res) noexcept;
  void OnReadable(int res) noexcept;
  void OnSourceEnd() noexcept;
  // Splits `data` into lines, emitting each complete one and any kMaxLine piece of a long one.
  void TakeBytes(std::string_view data) noexcept;
  void Emit(std::string_view piece, bool line_ends) noexcept;
  void Queue(std::string_view prefix, std::string_view piece) noexcept;
  void CountDropped(size_t bytes) noexcept;
  // Starts the next write unless one (or its poll) is in flight.
  void KickWriter() noexcept;
  void OnWrite(int res) noexcept;
  void OnWritable(int res) noexcept;
  void MaybeFinish() noexcept;

  UniqueFd source_;
  int destination_;
  int slot_;
  pid_t pid_;
  std::string prefix_;
  std::string continuation_prefix_;
  OnFinished on_finished_;
  Ring* ring_ = nullptr;
  Phase phase_ = Phase::kIdle;

  std::unique_ptr<char[]> read_buffer_;  // the kernel writes here while read_ is in flight
  std::string partial_;                  // the current line's bytes, no newline seen yet
  bool in_long_line_ = false;            // partial_ continues a line already partly emitted
  std::string pending_;                  // whole prefixed lines waiting for the next write
  std::string writing_;                  // the bytes of the write in flight; stays put until done
  size_t written_ = 0;                   // of writing_
  // The destination failed for good (EPIPE, EBADF...): everything after is dropped.
  bool destination_failed_ = false;
  uint64_t dropped_bytes_ = 0;
  uint64_t drops_ = 0;

  ReadOp read_;
  PollOp readable_;
  WriteOp write_;
  PollOp writable_;
};

}  // namespace ringleader
