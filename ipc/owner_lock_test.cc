// Unit tests for ipc/owner_lock.h: a live owner makes a waiter give up in bounded time, a dead
// (reaped) owner's lock is stolen, a word that cannot be a pid is stolen, and release by pid.
#include "ipc/owner_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

namespace ringleader {
namespace {

// A child that lives until killed, so its pid is a live owner; reaped by Reap().
struct SleepingChild {
  pid_t pid = ::fork();
  SleepingChild() {
    if (pid == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  void Reap() {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

TEST(OwnerLockTest, AcquireReleaseAndExclusion) {
  std::atomic<uint64_t> word{0};
  {
    auto lock = OwnerLock::Acquire(word);
    ASSERT_TRUE(lock.ok());
    EXPECT_EQ(word.load(), static_cast<uint64_t>(::getpid()));
    // Held under our own pid (another thread, as far as the lock can tell): live, so we wait.
    EXPECT_EQ(OwnerLock::Acquire(word).status().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_EQ(word.load(), 0u) << "released when the guard goes";
}

TEST(OwnerLockTest, LiveOwnerMakesWaiterGiveUpInBoundedTime) {
  SleepingChild child;
  ASSERT_GT(child.pid, 0);
  std::atomic<uint64_t> word{static_cast<uint64_t>(child.pid)};
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(OwnerLock::Acquire(word).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  child.Reap();
  EXPECT_TRUE(OwnerLock::Acquire(word).ok()) << "a reaped owner's lock is stolen";
}

TEST(OwnerLockTest, AWordThatIsNoPidIsStolen) {
  std::atomic<uint64_t> word{~uint64_t{0}};
  EXPECT_TRUE(OwnerLock::Acquire(word).ok());
}

TEST(OwnerLockTest, ReleaseIfOwnedByFreesOnlyThatOwner) {
  std::atomic<uint64_t> word{1234};
  EXPECT_FALSE(ReleaseIfOwnedBy(word, 999));
  EXPECT_FALSE(ReleaseIfOwnedBy(word, 0));
  EXPECT_TRUE(ReleaseIfOwnedBy(word, 1234));
  EXPECT_EQ(word.load(), 0u);
}

}  // namespace
}  // namespace ringleader
