// OwnerLock: a spin lock living in shared memory whose word holds the owner's pid, so a lock left
// behind by a process killed while holding it can be taken back instead of sticking forever.
//
//   RL_ASSIGN_OR_RETURN(OwnerLock lock, OwnerLock::Acquire(entry.lock));   // bounded wait
//   ... write ...
//   // released when `lock` goes out of scope
//
//   ReleaseIfOwnedBy(entry.lock, reaped_pid);   // the primary, after reaping a worker
//
// Two ways a dead owner's lock comes back:
//  - a waiter sees kill(owner, 0) fail with ESRCH and steals the word with a CAS. This only works
//    once the owner is reaped (a zombie still answers kill), hence reap-first in the primary;
//  - the primary, after reaping a worker, frees every lock that worker held. This also covers
//    a pid reused by a new process before any waiter looked, which the first way cannot tell
//    from a live owner.
// Threads of one process share a pid: they still exclude each other (the CAS), but a thread
// treats a lock held under its own pid as live. Workers write from one loop thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "absl/status/statusor.h"

namespace ringleader {

class OwnerLock {
 public:
  // How long Acquire spins (yielding the CPU between tries) before giving up. A holder runs a
  // few hundred nanoseconds of copying; waiting longer means it was descheduled, and the caller's
  // event loop must not stall behind it.
  static constexpr std::chrono::microseconds kMaxWait{500};

  // Takes `word` for the calling process. Unavailable when a live owner keeps it past kMaxWait.
  static absl::StatusOr<OwnerLock> Acquire(std::atomic<uint64_t>& word) noexcept;

  OwnerLock(OwnerLock&& other) noexcept : word_(other.word_) { other.word_ = nullptr; }
  OwnerLock& operator=(OwnerLock&&) = delete;
  OwnerLock(const OwnerLock&) = delete;
  OwnerLock& operator=(const OwnerLock&) = delete;
  ~OwnerLock();

 private:
  explicit OwnerLock(std::atomic<uint64_t>& word) noexcept : word_(&word) {}
  std::atomic<uint64_t>* word_;
};

// Frees `word` if `pid` holds it. True when it did. Only for a pid known to be dead and reaped.
bool ReleaseIfOwnedBy(std::atomic<uint64_t>& word, pid_t pid) noexcept;

}  // namespace ringleader
