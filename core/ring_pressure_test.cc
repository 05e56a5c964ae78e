// Unit tests for core/ring.h under pressure: a completion queue that overflows, mass cancels,
// and a kernel that takes no submissions.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/ring_test_util.h"
#include "tests/support/seccomp_filter.h"

namespace ringleader {

// Plays a kernel that refuses submissions: the next `refusals` submits take nothing (-EAGAIN).
class RingTestPeer {
 public:
  static void RefuseSubmits(Ring& ring, int count) {
    refusals = count;
    ring.submit_ = &Submit;
  }

 private:
  static int Submit(io_uring* ring) {
    if (refusals > 0) {
      --refusals;
      return -EAGAIN;
    }
    return io_uring_submit(ring);
  }
  static inline int refusals = 0;
};

namespace {

class NopOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;

 private:
  void Prep(io_uring_sqe* sqe) noexcept override { io_uring_prep_nop(sqe); }
};

std::unique_ptr<Ring> MakeRing(RingOptions options) {
  auto ring = Ring::Create(options);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return ring.ok() ? std::move(*ring) : nullptr;
}

TEST(RingPressureTest, CompletionsBeyondTheCompletionQueueAreAllDelivered) {
  // A queue of 4 submissions and 4 completions takes 1,000 no-ops without a loop turn: each full
  // submission queue is submitted, the completion queue overflows into the kernel's backlog,
  // and every op must still get its completion once the loop runs.
  auto ring = MakeRing({.entries = 4, .completion_factor = 1});
  ASSERT_NE(ring, nullptr);
  constexpr int kOps = 1000;
  int completed = 0;
  std::vector<std::unique_ptr<NopOp>> ops;
  for (int i = 0; i < kOps; ++i) {
    ops.push_back(std::make_unique<NopOp>([&](int res, uint32_t) noexcept {
      EXPECT_EQ(res, 0);
      if (++completed == kOps) ring->Stop();
    }));
    ring->Start(*ops.back());
  }
  const absl::Time limit = absl::Now() + absl::Seconds(5);
  while (completed < kOps && absl::Now() < limit) ASSERT_TRUE(ring->Run().ok());
  EXPECT_EQ(completed, kOps);
  EXPECT_EQ(ring->ops_in_flight(), 0);
}

TEST(RingPressureTest, MassCancelsPostOneCompletionPerOp) {
  auto ring = MakeRing({.entries = 64});
  ASSERT_NE(ring, nullptr);
  constexpr int kOps = 200;
  int cancelled = 0;
  std::vector<std::unique_ptr<TimeoutOp>> timers;
  for (int i = 0; i < kOps; ++i) {
    timers.push_back(std::make_unique<TimeoutOp>([&](int res, uint32_t) noexcept {
      EXPECT_EQ(res, -ECANCELED);
      if (++cancelled == kOps) ring->Stop();
    }));
    timers.back()->Arm(*ring, absl::Hours(1));
  }
  for (auto& timer : timers) ring->Cancel(*timer);
  const uint64_t seen_before = ring->completions_seen();
  const absl::Time limit = absl::Now() + absl::Seconds(5);
  while (cancelled < kOps && absl::Now() < limit) ASSERT_TRUE(ring->Run().ok());
  EXPECT_EQ(cancelled, kOps);
  EXPECT_EQ(ring->ops_in_flight(), 0);
  // The timers' own completions, and not one per cancel request as well.
  EXPECT_EQ(ring->completions_seen() - seen_before, static_cast<uint64_t>(kOps));
}

TEST(RingPressureTest, CompletionsSetAsideAreDispatchedInKernelOrder) {
  // Handlers fill the submission queue and the kernel refuses once, so completions are set
  // aside from inside a dispatch; no-ops complete in submission order, and must be dispatched
  // in it too (a multishot receive's bytes would otherwise be reordered).
  auto ring = MakeRing({.entries = 4, .completion_factor = 1});
  ASSERT_NE(ring, nullptr);
  std::vector<std::string> order;
  std::vector<std::unique_ptr<NopOp>> ops;
  auto make = [&](std::string name, std::function<void()> then) {
    ops.push_back(std::make_unique<NopOp>([&order, name, then](int, uint32_t) noexcept {
      order.push_back(name);
      then();
    }));
    return ops.back().get();
  };
  std::vector<NopOp*> x, y;
  for (int i = 0; i < 5; ++i) x.push_back(make("x" + std::to_string(i), [] {}));
  for (int i = 0; i < 4; ++i) y.push_back(make("y" + std::to_string(i), [] {}));
  auto start_all_refusing_the_last = [&](std::vector<NopOp*>& group) {
    for (size_t k = 0; k + 1 < group.size(); ++k) ring->Start(*group[k]);
    RingTestPeer::RefuseSubmits(*ring, 1);
    ring->Start(*group.back());
  };
  for (int i = 0; i < 12; ++i) {
    std::function<void()> then = [] {};
    if (i == 0) then = [&] { start_all_refusing_the_last(x); };
    if (i == 4) then = [&] { start_all_refusing_the_last(y); };
    ring->Start(*make("n" + std::to_string(i), then));
  }
  const absl::Time limit = absl::Now() + absl::Seconds(5);
  while (ring->ops_in_flight() > 0 && absl::Now() < limit) {
    RunRingFor(*ring, absl::Milliseconds(5));
  }
  ASSERT_EQ(order.size(), ops.size());
  for (const char group : {'n', 'x', 'y'}) {
    std::vector<std::string> seen;
    for (const auto& name : order) {
      if (name[0] == group) seen.push_back(name);
    }
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end(), [](const auto& a, const auto& b) {
      return std::stoi(a.substr(1)) < std::stoi(b.substr(1));
    })) << "group " << group << " out of order: " << ::testing::PrintToString(order);
  }
}

// In a child: a ring whose kernel refuses every io_uring_enter. Starting more ops than the
// submission queue holds must make Run fail with ResourceExhausted, not spin. Exit codes: 0 as
// expected, 1 Run returned something else, 2 set-up failed.
[[noreturn]] void StartMoreThanTheKernelTakes() {
  auto ring = Ring::Create({.entries = 4});
  if (!ring.ok()) _exit(2);
  if (FailSyscall(__NR_io_uring_enter, EAGAIN) != 0) _exit(2);
  // Leaked on purpose: ops the kernel never took stay "in flight", and _exit skips destructors.
  auto* ops = new std::vector<std::unique_ptr<NopOp>>();
  for (int i = 0; i < 16; ++i) {
    ops->push_back(std::make_unique<NopOp>([](int, uint32_t) noexcept {}));
    (*ring)->Start(*ops->back());
  }
  const absl::Status status = (*ring)->Run();
  _exit(status.code() == absl::StatusCode::kResourceExhausted ? 0 : 1);
}

TEST(RingPressureTest, AFullQueueTheKernelRefusesFailsRunInsteadOfSpinning) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) StartMoreThanTheKernelTakes();
  int status = 0;
  pid_t done = 0;
  const absl::Time limit = absl::Now() + absl::Seconds(10);
  while ((done = ::waitpid(child, &status, WNOHANG)) == 0 && absl::Now() < limit) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  if (done == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    FAIL() << "Start spun on a submission queue the kernel would not take";
  }
  ASSERT_TRUE(WIFEXITED(status)) << "child died by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "Run did not return ResourceExhausted";
}

}  // namespace
}  // namespace ringleader
