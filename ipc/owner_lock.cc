// OwnerLock: acquire with a bounded wait, steal from a dead owner, release by pid.
#include "ipc/owner_lock.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "absl/status/status.h"

namespace ringleader {
namespace {

// Linux never hands out a pid above this (PID_MAX_LIMIT); a larger word is not a pid at all.
constexpr uint64_t kPidMaxLimit = 4 * 1024 * 1024;
// Spins before the waiter starts yielding its CPU, and how often it asks the kernel whether the
// owner still exists (a syscall, so not on every spin).
constexpr int kPureSpins = 64;
constexpr int kLivenessEvery = 32;

// kill(pid, 0) sends nothing; ESRCH means no such process (an unreaped zombie still exists).
// A word that cannot be a pid (corruption) counts as dead, and is never passed to kill(): a
// negative pid would address a process group.
bool OwnerIsDead(uint64_t owner) noexcept {
  if (owner > kPidMaxLimit) return true;
  return ::kill(static_cast<pid_t>(owner), 0) == -1 && errno == ESRCH;
}

void CpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

absl::StatusOr<OwnerLock> OwnerLock::Acquire(std::atomic<uint64_t>& word) noexcept {
  const uint64_t self = static_cast<uint64_t>(::getpid());  // not cached: a fork changes it
  std::chrono::steady_clock::time_point deadline;
  for (int attempt = 0;; ++attempt) {
    uint64_t owner = 0;
    if (word.compare_exchange_weak(owner, self, std::memory_order_acquire,
                                   std::memory_order_relaxed)) {
      return OwnerLock(word);
    }
    if (owner != 0 && owner != self && attempt % kLivenessEvery == 0 && OwnerIsDead(owner)) {
      // The CAS only succeeds if the dead owner is still the owner, so two waiters cannot both
      // steal. The owner's writes are all in memory: it has exited (and been reaped) already.
      if (word.compare_exchange_strong(owner, self, std::memory_order_acq_rel,
                                       std::memory_order_relaxed)) {
        return OwnerLock(word);
      }
      continue;
    }
    // The clock is read only once contention is seen: the uncontended path stays syscall-free.
    const auto now = std::chrono::steady_clock::now();
    if (attempt == 0) {
      deadline = now + kMaxWait;
    } else if (now > deadline) {
      return absl::UnavailableError("shared region: a lock is held by a live writer for too long");
    }
    if (attempt < kPureSpins) {
      CpuRelax();
    } else {
      ::sched_yield();  // a descheduled holder on a 2-core box needs our CPU to finish
    }
  }
}

OwnerLock::~OwnerLock() {
  if (word_ != nullptr) word_->store(0, std::memory_order_release);
}

bool ReleaseIfOwnedBy(std::atomic<uint64_t>& word, pid_t pid) noexcept {
  uint64_t expected = static_cast<uint64_t>(pid);
  return pid > 0 && word.compare_exchange_strong(expected, 0, std::memory_order_acq_rel,
                                                 std::memory_order_relaxed);
}

}  // namespace ringleader
