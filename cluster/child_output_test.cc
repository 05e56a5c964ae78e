// Unit tests for cluster/child_output.h on a real Ring with real pipes: lines split across
// reads, CRLF, an overlong line in marked pieces, the EOF flush, a flood into a destination
// nobody reads (the loop keeps turning, drops are counted, the bound holds), a non-blocking
// destination that fills and drains, and no op left in flight afterwards.
#include "cluster/child_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "absl/time/clock.h"
#include "core/ring_test_util.h"

namespace ringleader {
namespace {

constexpr int kSlot = 1;
constexpr pid_t kPid = 4242;

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe MakePipe(int flags) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC | flags), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

class ChildOutputTest : public ::testing::Test {
 protected:
  // Starts a ChildOutput from a fresh O_NONBLOCK source pipe (as a spawner makes them) into a
  // fresh destination pipe opened with `destination_flags`.
  void StartOutput(int destination_flags = 0) {
    auto ring = Ring::Create();
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
    Pipe source = MakePipe(O_NONBLOCK);
    Pipe destination = MakePipe(destination_flags);
    child_end_ = std::move(source.write);
    destination_read_ = std::move(destination.read);
    destination_write_ = std::move(destination.write);
    output_ = std::make_unique<ChildOutput>(std::move(source.read), destination_write_.get(),
                                            kSlot, kPid, [this]() noexcept { ++finished_; });
    output_->Start(*ring_);
  }

  void TearDown() override {
    // A failed test may leave ops in flight; they must complete before the object goes.
    if (output_ != nullptr && output_->in_flight()) {
      output_->Stop();
      RunRingUntil(*ring_, [this] { return !output_->in_flight(); });
    }
  }

  void ChildWrites(const std::string& bytes) {
    ASSERT_EQ(::write(child_end_.get(), bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }

  // Appends whatever the destination holds now to collected_ (non-blocking read).
  void Collect() {
    char buffer[65536];
    ssize_t n;
    while ((n = ::read(destination_read_.get(), buffer, sizeof buffer)) > 0) {
      collected_.append(buffer, static_cast<size_t>(n));
    }
  }

  // Runs the ring, draining the destination, until it holds `expected` (or times out).
  bool RunUntilCollected(const std::string& expected) {
    ::fcntl(destination_read_.get(), F_SETFL, O_NONBLOCK);
    return RunRingUntil(*ring_, [&] {
      Collect();
      return collected_.size() >= expected.size();
    });
  }

  static std::string Line(const std::string& text) {
    return ChildOutput::LinePrefix(kSlot, kPid, false) + text + "\n";
  }

  std::unique_ptr<Ring> ring_;
  UniqueFd child_end_;
  UniqueFd destination_read_;
  UniqueFd destination_write_;
  std::unique_ptr<ChildOutput> output_;  // destroyed before the ring and the destination
  std::string collected_;
  int finished_ = 0;
};

TEST_F(ChildOutputTest, PrefixesLinesSplitAcrossReads) {
  StartOutput();
  ChildWrites("hel");
  RunRingFor(*ring_, absl::Milliseconds(5));
  ChildWrites("lo\nwor");
  RunRingFor(*ring_, absl::Milliseconds(5));
  ChildWrites("ld\n\nlast\n");
  const std::string expected = Line("hello") + Line("world") + Line("") + Line("last");
  ASSERT_TRUE(RunUntilCollected(expected));
  EXPECT_EQ(collected_, expected);
  EXPECT_EQ(ChildOutput::LinePrefix(1, 1234, false), "[slot 1 pid 1234] ");
}

TEST_F(ChildOutputTest, CrlfLinesLoseTheirCarriageReturn) {
  StartOutput();
  ChildWrites("one\r\ntwo\r");
  RunRingFor(*ring_, absl::Milliseconds(5));
  ChildWrites("\nthree\rstill three\n");
  const std::string expected = Line("one") + Line("two") + Line("three\rstill three");
  ASSERT_TRUE(RunUntilCollected(expected));
  EXPECT_EQ(collected_, expected);
}

TEST_F(ChildOutputTest, HugeLineGoesOutInMarkedPieces) {
  StartOutput();
  const size_t length = 2 * ChildOutput::kMaxLine + 1000;
  std::string huge;
  for (size_t i = 0; i < length; ++i) huge.push_back(static_cast<char>('a' + i % 26));
  // Written in slices while the ring runs: the line is longer than the pipe holds.
  const std::string bytes = huge + "\nafter\n";
  for (size_t at = 0; at < bytes.size(); at += 8192) {
    ChildWrites(bytes.substr(at, 8192));
    RunRingFor(*ring_, absl::Milliseconds(2));
  }
  const std::string continued = ChildOutput::LinePrefix(kSlot, kPid, true);
  const std::string expected =
      Line(huge.substr(0, ChildOutput::kMaxLine)) + continued +
      huge.substr(ChildOutput::kMaxLine, ChildOutput::kMaxLine) + "\n" + continued +
      huge.substr(2 * ChildOutput::kMaxLine) + "\n" + Line("after");
  ASSERT_TRUE(RunUntilCollected(expected));
  EXPECT_EQ(collected_, expected);
  EXPECT_EQ(output_->dropped_bytes(), 0u);
}

TEST_F(ChildOutputTest, EofFlushesThePartialLastLineAndFinishes) {
  StartOutput();
  ChildWrites("done\nno newline at the end");
  child_end_.Reset();  // the child exited
  const std::string expected = Line("done") + Line("no newline at the end");
  ASSERT_TRUE(RunUntilCollected(expected));
  EXPECT_EQ(collected_, expected);
  ASSERT_TRUE(RunRingUntil(*ring_, [this] { return finished_ == 1; }));
  EXPECT_TRUE(output_->finished());
  EXPECT_FALSE(output_->in_flight());
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(ChildOutputTest, FloodIntoAStuckDestinationDropsInsteadOfBlocking) {
  StartOutput();
  ::fcntl(child_end_.get(), F_SETFL, O_NONBLOCK);
  const std::string line(99, 'x');  // 100 bytes a line with its newline
  size_t offered = 0;
  absl::Duration longest_turn;
  for (int round = 0; round < 400; ++round) {
    // Fill the source pipe as far as it takes, then let the loop drain it.
    std::string burst;
    for (int i = 0; i < 160; ++i) burst += line + "\n";
    const ssize_t n = ::write(child_end_.get(), burst.data(), burst.size());
    if (n > 0) offered += static_cast<size_t>(n);
    const absl::Time before = absl::Now();
    RunRingFor(*ring_, absl::Milliseconds(1));
    longest_turn = std::max(longest_turn, absl::Now() - before);
    EXPECT_LE(output_->queued_bytes(), ChildOutput::kMaxQueued);
  }
  EXPECT_GT(offered, 4u * ChildOutput::kMaxQueued);
  EXPECT_GT(output_->dropped_bytes(), 0u);
  EXPECT_LT(longest_turn, absl::Milliseconds(500)) << "the loop blocked on the destination";

  output_->Stop();
  ASSERT_TRUE(RunRingUntil(*ring_, [this] { return finished_ == 1; }));
  EXPECT_FALSE(output_->in_flight());
  EXPECT_EQ(ring_->ops_in_flight(), 0);
  EXPECT_EQ(output_->queued_bytes(), 0u);
}

TEST_F(ChildOutputTest, NonBlockingDestinationThatFillsIsWaitedFor) {
  StartOutput(O_NONBLOCK);
  // ~200 KB: more than the destination pipe holds, less than the bound, so nothing is dropped.
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    const std::string text = "line " + std::to_string(i) + std::string(80, '.');
    expected += Line(text);
    ChildWrites(text + "\n");
    if (i % 200 == 0) RunRingFor(*ring_, absl::Milliseconds(2));
  }
  RunRingFor(*ring_, absl::Milliseconds(20));  // the destination is full and nobody reads yet
  ASSERT_TRUE(RunUntilCollected(expected));
  EXPECT_EQ(collected_, expected);
  EXPECT_EQ(output_->dropped_bytes(), 0u);
}

TEST_F(ChildOutputTest, StopWhileIdleFinishesWithNothingInFlight) {
  StartOutput();
  RunRingFor(*ring_, absl::Milliseconds(5));
  EXPECT_TRUE(output_->in_flight());  // waiting for the child to write
  output_->Stop();
  output_->Stop();
  ASSERT_TRUE(RunRingUntil(*ring_, [this] { return finished_ == 1; }));
  EXPECT_EQ(ring_->ops_in_flight(), 0);
  RunRingFor(*ring_, absl::Milliseconds(5));
  EXPECT_EQ(finished_, 1);
}

}  // namespace
}  // namespace ringleader
