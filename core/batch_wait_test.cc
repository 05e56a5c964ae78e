// Unit tests for batched waiting (RingOptions::batch_wait, core/batch_wait.h): a busy loop
// gathers a batch within the bound, a quiet one wakes at each completion.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/ring_test_util.h"
#include "core/unique_fd.h"

namespace ringleader {
namespace {

constexpr absl::Duration kBound = absl::Milliseconds(300);
constexpr absl::Duration kArrival = absl::Milliseconds(1);
// Well under kBound: a wait that returned as soon as its completions were there.
constexpr absl::Duration kPrompt = absl::Milliseconds(150);
constexpr int kBusyTurn = 8;

class BatchWait : public testing::Test {
 protected:
  void MakeRing(absl::Duration batch_wait) {
    auto ring = Ring::Create({.batch_wait = batch_wait, .busy_turn = kBusyTurn});
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
  }

  // One turn that dispatches kBusyTurn completions: the loop counts as busy afterwards.
  void BusyTurn() {
    std::vector<std::unique_ptr<NopOp>> nops;
    int done = 0;
    for (int i = 0; i < kBusyTurn; ++i) {
      nops.push_back(std::make_unique<NopOp>([&](int, uint32_t) noexcept {
        if (++done == kBusyTurn) ring_->Stop();
      }));
      nops.back()->Arm(*ring_);
    }
    ASSERT_TRUE(ring_->Run().ok());
    ASSERT_EQ(done, kBusyTurn);
  }

  // Arms a receive on each of `count` sockets, has another thread write to them after kArrival,
  // and runs until every byte is in; returns how long that took. Socket readiness, like the
  // traffic of a server, wakes a waiting loop only once its batch is there (timers wake it at
  // once).
  absl::Duration TimeArrivals(int count) {
    std::vector<UniqueFd> ours, peers;
    std::vector<std::unique_ptr<RecvOp>> recvs;
    std::vector<char> bytes(static_cast<size_t>(count));
    int received = 0;
    for (int i = 0; i < count; ++i) {
      int fds[2];
      EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
      ours.emplace_back(fds[0]);
      peers.emplace_back(fds[1]);
      recvs.push_back(std::make_unique<RecvOp>([&](int res, uint32_t) noexcept {
        EXPECT_EQ(res, 1);
        if (++received == count) ring_->Stop();
      }));
      recvs.back()->Arm(*ring_, ours.back().get(), &bytes[static_cast<size_t>(i)], 1);
    }
    const absl::Time start = absl::Now();
    std::thread writer([&] {
      absl::SleepFor(kArrival);
      for (const UniqueFd& peer : peers) EXPECT_EQ(::write(peer.get(), "x", 1), 1);
    });
    EXPECT_TRUE(ring_->Run().ok());
    writer.join();
    EXPECT_EQ(received, count);
    return absl::Now() - start;
  }

  std::unique_ptr<Ring> ring_;
};

TEST_F(BatchWait, AQuietLoopWakesAtTheFirstCompletion) {
  MakeRing(kBound);
  EXPECT_LT(TimeArrivals(1), kPrompt);
}

TEST_F(BatchWait, ABusyLoopWaitsForABatchButNoLongerThanTheBound) {
  MakeRing(kBound);
  if (!ring_->batching()) GTEST_SKIP() << "this kernel has no min-wait (Linux 6.12+)";
  BusyTurn();
  // One completion where the busy turn brought eight: the loop holds it for the bound.
  const absl::Duration took = TimeArrivals(1);
  EXPECT_GE(took, kBound - absl::Milliseconds(20));
  EXPECT_LT(took, kBound + absl::Seconds(1));
  // That turn brought one: the loop is quiet again and wakes at once.
  EXPECT_LT(TimeArrivals(1), kPrompt);
}

TEST_F(BatchWait, ABusyLoopReturnsAsSoonAsItsBatchIsComplete) {
  MakeRing(kBound);
  if (!ring_->batching()) GTEST_SKIP() << "this kernel has no min-wait (Linux 6.12+)";
  BusyTurn();
  EXPECT_LT(TimeArrivals(kBusyTurn), kPrompt);
}

TEST_F(BatchWait, OffByDefault) {
  MakeRing(absl::ZeroDuration());
  EXPECT_FALSE(ring_->batching());
  BusyTurn();
  EXPECT_LT(TimeArrivals(1), kPrompt);
}

}  // namespace
}  // namespace ringleader
