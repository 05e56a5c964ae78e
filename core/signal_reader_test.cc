// Unit tests for core/signal_reader.h: each signal reaches the handler on the loop, the read is
// re-armed after every one, and Stop (from outside or from the handler itself) ends in exactly
// one on_stopped with no op left in flight.
#include "core/signal_reader.h"

#include <gtest/gtest.h>

#include <csignal>
#include <vector>

#include "core/ring_test_util.h"

namespace ringleader {
namespace {

class SignalReaderTest : public ::testing::Test {
 protected:
  // Opens a reader for SIGUSR1 and SIGUSR2 and starts it; `stop_on_first`: its handler stops it.
  void StartReader(bool stop_on_first = false) {
    auto ring = Ring::Create();
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
    auto reader = SignalReader::Open(
        {SIGUSR1, SIGUSR2},
        [this, stop_on_first](const signalfd_siginfo& info) noexcept {
          signals_.push_back(static_cast<int>(info.ssi_signo));
          if (stop_on_first) reader_->Stop();
        },
        [this](int res) noexcept { stops_.push_back(res); });
    ASSERT_TRUE(reader.ok()) << reader.status();
    reader_ = std::move(*reader);
    reader_->Start(*ring_);
  }

  bool RunUntilStopped() {
    return RunRingUntil(*ring_, [this] { return !stops_.empty(); });
  }

  void TearDown() override {
    // A failed test may leave the read in flight; it must complete before the reader goes.
    if (reader_ != nullptr && reader_->in_flight()) {
      reader_->Stop();
      RunUntilStopped();
    }
  }

  std::unique_ptr<Ring> ring_;
  std::unique_ptr<SignalReader> reader_;  // destroyed before the ring
  std::vector<int> signals_;
  std::vector<int> stops_;  // each on_stopped's res
};

TEST_F(SignalReaderTest, EachSignalReachesTheHandlerAndTheReadIsReArmed) {
  ASSERT_NO_FATAL_FAILURE(StartReader());
  ASSERT_EQ(::raise(SIGUSR1), 0);
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return signals_.size() == 1; }));
  ASSERT_EQ(::raise(SIGUSR2), 0);
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return signals_.size() == 2; }));
  EXPECT_EQ(signals_, (std::vector<int>{SIGUSR1, SIGUSR2}));
  EXPECT_TRUE(reader_->in_flight()) << "re-armed after each signal";
  EXPECT_TRUE(stops_.empty());

  reader_->Stop();
  ASSERT_TRUE(RunUntilStopped());
  EXPECT_EQ(stops_, std::vector<int>{0});
  EXPECT_FALSE(reader_->in_flight());
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(SignalReaderTest, StopBeforeAnySignalEndsOnce) {
  ASSERT_NO_FATAL_FAILURE(StartReader());
  reader_->Stop();
  reader_->Stop();  // idempotent
  ASSERT_TRUE(RunUntilStopped());
  RunRingFor(*ring_, absl::Milliseconds(5));
  EXPECT_EQ(stops_, std::vector<int>{0});
  EXPECT_TRUE(signals_.empty());
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(SignalReaderTest, AHandlerMayStopItsOwnReader) {
  ASSERT_NO_FATAL_FAILURE(StartReader(/*stop_on_first=*/true));
  ASSERT_EQ(::raise(SIGUSR1), 0);
  ASSERT_TRUE(RunUntilStopped());
  // A signal raised after the stop is not read: it stays pending (blocked) for the process.
  ASSERT_EQ(::raise(SIGUSR2), 0);
  RunRingFor(*ring_, absl::Milliseconds(5));
  EXPECT_EQ(signals_, std::vector<int>{SIGUSR1});
  EXPECT_EQ(stops_, std::vector<int>{0});
  EXPECT_EQ(ring_->ops_in_flight(), 0);
  // Take the pending SIGUSR2 so no other test reads it.
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  const timespec now{};
  EXPECT_EQ(::sigtimedwait(&usr2, nullptr, &now), SIGUSR2);
}

}  // namespace
}  // namespace ringleader
