// Unit tests for core/buffer_ring.h with a ProvidedRecvOp: provided buffers, ids, recycling.
#include "core/ring_test_util.h"
#include "core/buffer_ring.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "core/ops.h"
#include "core/unique_fd.h"

namespace ringleader {
namespace {

class BufferRingTest : public testing::Test {
 protected:
  void SetUp() override {
    auto ring = Ring::Create();
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    ours_.Reset(fds[0]);
    peer_.Reset(fds[1]);
  }

  void TearDown() override {
    if (recv_.in_flight()) {
      closing_ = true;
      ring_->Cancel(recv_);
      RunUntil([&] { return !recv_.in_flight(); });
    }
    EXPECT_FALSE(recv_.in_flight());
    EXPECT_EQ(ring_->ops_in_flight(), 0);
    buffers_.reset();  // before the ring it is registered with
  }

  void MakeBuffers(uint16_t count, uint32_t size) {
    auto buffers = BufferRing::Create(*ring_, /*group=*/7, count, size);
    ASSERT_TRUE(buffers.ok()) << buffers.status();
    buffers_ = std::move(*buffers);
  }

  // Completion handler of the multishot receive: copies data out, recycles, re-arms when the
  // kernel ended the multishot (e.g. -ENOBUFS when every buffer was in use).
  void OnRecv(int res, uint32_t flags) {
    ++completions_;
    last_flags_ = flags;
    const bool more = (flags & IORING_CQE_F_MORE) != 0;
    if (res > 0) {
      EXPECT_NE(flags & IORING_CQE_F_BUFFER, 0u) << "data without a provided buffer";
      const uint16_t id = BufferRing::IdOf(flags);
      EXPECT_LT(id, count_);
      EXPECT_LE(static_cast<uint32_t>(res), buffers_->buffer_size());
      ids_seen_.insert(id);
      received_.append(buffers_->Data(id), static_cast<size_t>(res));
      if (recycle_) buffers_->Recycle(id);
    } else if (res == -ENOBUFS) {
      ++enobufs_;
    } else {
      last_error_ = res;
    }
    if (!more && res != -ECANCELED && res != 0 && rearm_ && !closing_) {
      recv_.Arm(*ring_, ours_.get(), buffers_->group());
    }
    ring_->Stop();
  }

  bool RunUntil(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(3)) {
    return RunRingUntil(*ring_, done, limit);
  }

  void PeerWrite(const std::string& bytes) {
    ASSERT_EQ(::write(peer_.get(), bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }

  std::unique_ptr<Ring> ring_;
  std::unique_ptr<BufferRing> buffers_;
  UniqueFd ours_, peer_;
  uint16_t count_ = 0;
  bool recycle_ = true;
  bool rearm_ = true;
  bool closing_ = false;
  int completions_ = 0;
  uint32_t last_flags_ = 0;
  int enobufs_ = 0;
  int last_error_ = 0;
  std::set<uint16_t> ids_seen_;
  std::string received_;
  ProvidedRecvOp recv_{[this](int res, uint32_t flags) noexcept { OnRecv(res, flags); }};
};

TEST_F(BufferRingTest, CreateRejectsCountsThatAreNotPowersOfTwo) {
  for (uint16_t count : {0, 3, 6, 100, 1000, 40000, 65535}) {
    auto buffers = BufferRing::Create(*ring_, 1, count, 64);
    ASSERT_FALSE(buffers.ok()) << "count " << count;
    EXPECT_EQ(buffers.status().code(), absl::StatusCode::kInvalidArgument) << count;
  }
}

TEST_F(BufferRingTest, CreateAcceptsPowersOfTwo) {
  for (uint16_t count : {1, 2, 64, 4096, 32768}) {
    auto buffers = BufferRing::Create(*ring_, static_cast<uint16_t>(count % 1000), count, 16);
    ASSERT_TRUE(buffers.ok()) << "count " << count << ": " << buffers.status();
  }
}

TEST_F(BufferRingTest, BuffersAreDistinctAndSized) {
  count_ = 8;
  MakeBuffers(8, 256);
  EXPECT_EQ(buffers_->group(), 7);
  EXPECT_EQ(buffers_->buffer_size(), 256u);
  for (uint16_t id = 1; id < 8; ++id) EXPECT_EQ(buffers_->Data(id) - buffers_->Data(0), id * 256);
  buffers_->Data(7)[255] = 'z';  // the last byte is writable (ASan would object otherwise)
}

TEST_F(BufferRingTest, IdOfReadsTheUpperSixteenBits) {
  EXPECT_EQ(BufferRing::IdOf(0), 0);
  EXPECT_EQ(BufferRing::IdOf((5u << IORING_CQE_BUFFER_SHIFT) | IORING_CQE_F_BUFFER), 5);
  EXPECT_EQ(BufferRing::IdOf(0xffffu << IORING_CQE_BUFFER_SHIFT | IORING_CQE_F_MORE), 0xffff);
}

TEST_F(BufferRingTest, MultishotRecvFillsProvidedBuffers) {
  count_ = 4;
  MakeBuffers(4, 64);
  recv_.Arm(*ring_, ours_.get(), buffers_->group());
  PeerWrite("hello, provided buffers");
  ASSERT_TRUE(RunUntil([&] { return received_.size() >= 23; }));
  EXPECT_EQ(received_, "hello, provided buffers");
  EXPECT_TRUE(recv_.in_flight()) << "multishot stays armed while buffers remain";
  PeerWrite("second");
  ASSERT_TRUE(RunUntil([&] { return received_.size() >= 29; }));
  EXPECT_EQ(received_, "hello, provided bufferssecond");
  EXPECT_EQ(last_error_, 0);
}

TEST_F(BufferRingTest, OneShotRecvTakesOneBufferAndSaysWhetherMoreWaits) {
  count_ = 4;
  MakeBuffers(4, 64);
  rearm_ = false;
  PeerWrite(std::string(100, 'x'));
  recv_.Arm(*ring_, ours_.get(), buffers_->group(), /*multishot=*/false);
  ASSERT_TRUE(RunUntil([&] { return !recv_.in_flight(); }));
  EXPECT_EQ(received_.size(), 64u) << "one receive, one buffer";
  EXPECT_EQ(completions_, 1);
  EXPECT_NE(last_flags_ & IORING_CQE_F_SOCK_NONEMPTY, 0u) << "36 bytes still wait";
  recv_.Arm(*ring_, ours_.get(), buffers_->group(), /*multishot=*/false);
  ASSERT_TRUE(RunUntil([&] { return !recv_.in_flight(); }));
  EXPECT_EQ(received_.size(), 100u);
  EXPECT_EQ(last_flags_ & IORING_CQE_F_SOCK_NONEMPTY, 0u) << "the socket is empty now";
}

TEST_F(BufferRingTest, WithoutRecycleTheRingRunsOutWithEnobufs) {
  count_ = 2;
  recycle_ = false;
  rearm_ = false;
  MakeBuffers(2, 16);
  recv_.Arm(*ring_, ours_.get(), buffers_->group());
  PeerWrite(std::string(100, 'n'));
  ASSERT_TRUE(RunUntil([&] { return !recv_.in_flight(); }));
  EXPECT_EQ(received_, std::string(32, 'n')) << "two buffers of 16 bytes, then nothing";
  EXPECT_EQ(enobufs_, 1);
  EXPECT_EQ(ids_seen_, (std::set<uint16_t>{0, 1}));
}

TEST_F(BufferRingTest, RecycleLetsMoreThanTheRingCapacityFlow) {
  count_ = 4;
  MakeBuffers(4, 64);  // 256 bytes of buffers in all
  recv_.Arm(*ring_, ours_.get(), buffers_->group());
  std::string sent;
  for (int i = 0; sent.size() < 64 * 1024; ++i) sent += std::to_string(i) + ",";
  PeerWrite(sent);
  ASSERT_TRUE(RunUntil([&] { return received_.size() >= sent.size(); }));
  EXPECT_EQ(received_.size(), sent.size());
  EXPECT_TRUE(received_ == sent) << "bytes differ or arrived out of order";
  EXPECT_GT(completions_, 4 * 4);
  EXPECT_EQ(ids_seen_, (std::set<uint16_t>{0, 1, 2, 3}));
  EXPECT_EQ(last_error_, 0);
}

TEST_F(BufferRingTest, EndOfStreamEndsTheMultishot) {
  count_ = 4;
  MakeBuffers(4, 64);
  recv_.Arm(*ring_, ours_.get(), buffers_->group());
  PeerWrite("bye");
  peer_.Reset();
  ASSERT_TRUE(RunUntil([&] { return !recv_.in_flight(); }));
  EXPECT_EQ(received_, "bye");
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

}  // namespace
}  // namespace ringleader
