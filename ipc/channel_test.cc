// Unit tests for ipc/channel.h over a socketpair and a real Ring: receive, send, limits, close.
#include "ipc/channel.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/ring_test_util.h"
#include "core/ops.h"
#include "core/ring.h"
#include "ipc/frame.h"

namespace ringleader {
namespace {

class ChannelTest : public testing::Test {
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
    if (channel_ != nullptr && closed_count_ == 0) {
      channel_->Close();
      EXPECT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
    }
    if (peer_recv_.in_flight()) {
      ring_->Cancel(peer_recv_);
      EXPECT_TRUE(RunUntil([&] { return !peer_recv_.in_flight(); }));
    }
    channel_.reset();
    EXPECT_EQ(ring_->ops_in_flight(), 0);
  }

  // Creates the channel over `ours_`. Every callback stops the ring so RunUntil re-checks.
  void MakeChannel(ChannelLimits limits) {
    ChannelCallbacks callbacks;
    callbacks.on_message = [this](std::string_view payload) { OnMessage(payload); };
    callbacks.on_closed = [this](absl::Status why) { OnClosed(std::move(why)); };
    channel_ = std::make_unique<Channel>(*ring_, std::move(ours_), limits, std::move(callbacks));
  }
  void OnMessage(std::string_view payload) {
    received_.emplace_back(payload);
    if (on_message_hook_) on_message_hook_();
    ring_->Stop();
  }
  void OnClosed(absl::Status why) {
    ++closed_count_;
    close_status_ = std::move(why);
    if (on_closed_hook_) on_closed_hook_();
    ring_->Stop();
  }

  // Runs the ring until `done()` holds or `limit` passes (a TimeoutOp guard: nothing can hang).
  bool RunUntil(const std::function<bool()>& done, absl::Duration limit = absl::Seconds(3)) {
    return RunRingUntil(*ring_, done, limit);
  }

  // Runs the ring for `d`, letting every queued operation reach the kernel and complete.
  void RunFor(absl::Duration d) { RunRingFor(*ring_, d); }

  // Reads the raw peer end through the ring into peer_bytes_, until cancelled or EOF.
  void StartPeerReader() {
    peer_recv_.Arm(*ring_, peer_.get(), peer_buffer_, sizeof peer_buffer_);
  }
  void OnPeerRecv(int res) {
    if (res > 0) {
      peer_bytes_.append(peer_buffer_, static_cast<size_t>(res));
      StartPeerReader();
    }
    ring_->Stop();
  }

  void PeerWrite(std::string_view bytes) {
    ASSERT_EQ(::write(peer_.get(), bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }

  std::unique_ptr<Ring> ring_;
  UniqueFd ours_;
  UniqueFd peer_;
  std::unique_ptr<Channel> channel_;
  std::vector<std::string> received_;
  int closed_count_ = 0;
  absl::Status close_status_;
  std::function<void()> on_message_hook_;
  std::function<void()> on_closed_hook_;
  char peer_buffer_[64 * 1024];
  std::string peer_bytes_;
  RecvOp peer_recv_{[this](int res, uint32_t) noexcept { OnPeerRecv(res); }};
};

TEST_F(ChannelTest, MessagesFromPeerArriveInOrder) {
  MakeChannel({.max_payload = 64 * 1024});
  channel_->Start();
  std::vector<std::string> sent;
  std::string wire;
  for (int i = 0; i < 300; ++i) {
    sent.push_back(R"({"type":"tick","n":)" + std::to_string(i) + "}");
    AppendFrame(wire, sent.back());
  }
  std::string large(60 * 1024, 'L');
  for (size_t i = 0; i < large.size(); i += 97) large[i] = static_cast<char>('a' + i % 26);
  sent.push_back(large);
  AppendFrame(wire, large);
  sent.emplace_back("after-large");
  AppendFrame(wire, sent.back());
  PeerWrite(wire);  // ~70 KiB: more than one 16 KiB receive, frames straddle the boundaries

  ASSERT_TRUE(RunUntil([&] { return received_.size() >= sent.size(); }));
  EXPECT_EQ(received_, sent);
  EXPECT_EQ(closed_count_, 0);
}

TEST_F(ChannelTest, FramesTrickledInSmallWritesAreReassembled) {
  MakeChannel({});
  channel_->Start();
  std::string wire;
  AppendFrame(wire, "first");
  AppendFrame(wire, "second");
  for (size_t i = 0; i < wire.size(); i += 3) {
    PeerWrite(std::string_view(wire).substr(i, 3));
    RunFor(absl::Microseconds(200));
  }
  ASSERT_TRUE(RunUntil([&] { return received_.size() >= 2; }));
  EXPECT_EQ(received_, (std::vector<std::string>{"first", "second"}));
}

TEST_F(ChannelTest, SendReachesPeerFramed) {
  MakeChannel({});
  channel_->Start();
  StartPeerReader();
  std::string expected;
  for (std::string_view m : {R"({"type":"online"})", R"({"type":"listening"})", ""}) {
    EXPECT_TRUE(channel_->Send(m));
    AppendFrame(expected, m);
  }
  ASSERT_TRUE(RunUntil([&] { return peer_bytes_.size() >= expected.size(); }));
  EXPECT_EQ(peer_bytes_, expected);
  EXPECT_EQ(channel_->dropped_sends(), 0u);
}

TEST_F(ChannelTest, LargeSendsLargerThanTheSocketBufferArriveWhole) {
  MakeChannel({.max_queued_bytes = 4 << 20});
  channel_->Start();
  StartPeerReader();
  std::string expected;
  for (char c : {'x', 'y', 'z'}) {
    const std::string payload(400 * 1024, c);  // each bigger than the socket buffer
    ASSERT_TRUE(channel_->Send(payload));
    AppendFrame(expected, payload);
  }
  ASSERT_TRUE(RunUntil([&] { return peer_bytes_.size() >= expected.size(); }));
  EXPECT_EQ(peer_bytes_.size(), expected.size());
  EXPECT_TRUE(peer_bytes_ == expected) << "bytes differ";
}

TEST_F(ChannelTest, QueueLimitDropsSendsWhenPeerNeverReads) {
  MakeChannel({.max_queued_bytes = 4096});
  channel_->Start();
  const std::string payload(1000, 'p');
  int accepted = 0;
  bool refused = false;
  // The socket buffer absorbs a few hundred KiB first; then the queue fills and Send refuses.
  for (int i = 0; i < 20000 && !refused; ++i) {
    if (channel_->Send(payload)) {
      ++accepted;
      if (i % 4 == 3) RunFor(absl::Microseconds(100));
    } else {
      refused = true;
    }
  }
  ASSERT_TRUE(refused) << "Send never refused after " << accepted << " messages";
  EXPECT_GT(accepted, 4);
  EXPECT_EQ(channel_->dropped_sends(), 1u);
  EXPECT_FALSE(channel_->Send(payload));
  EXPECT_FALSE(channel_->Send(payload));
  EXPECT_EQ(channel_->dropped_sends(), 3u);
  EXPECT_EQ(closed_count_, 0) << "a full queue is not a reason to close";

  // Once the peer reads, the queue drains and Send works again.
  ASSERT_EQ(::fcntl(peer_.get(), F_SETFL, O_NONBLOCK), 0);
  char sink[64 * 1024];
  bool sent_again = false;
  for (int round = 0; round < 200 && !sent_again; ++round) {
    while (::read(peer_.get(), sink, sizeof sink) > 0) {
    }
    RunFor(absl::Milliseconds(1));
    sent_again = channel_->Send(payload);
  }
  EXPECT_TRUE(sent_again);
  EXPECT_EQ(channel_->dropped_sends(), 3u);
}

// Every frame the peer has received so far, decoded in order.
std::vector<std::string> Frames(const std::string& wire) {
  FrameDecoder decoder(kMaxFramePayload);
  decoder.Feed(wire);
  std::vector<std::string> out;
  while (auto f = decoder.Next()) out.emplace_back(*f);
  return out;
}

TEST_F(ChannelTest, ControlLaneIsNeverDroppedBehindAFullUserQueue) {
  MakeChannel({.max_queued_bytes = 4096, .max_control_bytes = 1024});
  channel_->Start();
  const std::string user(1000, 'u');
  int accepted = 0;
  while (channel_->Send(user)) ++accepted;  // the ring does not run: nothing leaves the queue
  ASSERT_EQ(accepted, 4);
  while (channel_->Send("{}")) ++accepted;  // to the last byte
  ASSERT_FALSE(channel_->Send(R"({"type":"heartbeat"})")) << "on the user lane it would be lost";
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(channel_->Send(R"({"type":"heartbeat"})", Lane::kControl)) << "heartbeat " << i;
  }
  EXPECT_EQ(channel_->dropped_sends(), 3u);
  // The control lane has its own bound: a peer that never reads cannot make it grow for ever.
  int control = 20;
  while (channel_->Send(R"({"type":"heartbeat"})", Lane::kControl)) ++control;
  EXPECT_EQ(control, 1024 / (20 + kFrameHeaderBytes));
  StartPeerReader();
  ASSERT_TRUE(RunUntil([&] {
    return Frames(peer_bytes_).size() == static_cast<size_t>(accepted + control);
  }));
}

TEST_F(ChannelTest, ControlFramesOvertakeUserFramesNotYetStarted) {
  MakeChannel({});
  channel_->Start();
  // u0 goes to the kernel at once; u1..u3 wait in the queue when the heartbeats arrive.
  for (const char* m : {"u0", "u1", "u2", "u3"}) ASSERT_TRUE(channel_->Send(m));
  ASSERT_TRUE(channel_->Send("c0", Lane::kControl));
  ASSERT_TRUE(channel_->Send("c1", Lane::kControl));
  StartPeerReader();
  ASSERT_TRUE(RunUntil([&] { return Frames(peer_bytes_).size() == 6; }));
  EXPECT_EQ(Frames(peer_bytes_),
            (std::vector<std::string>{"u0", "c0", "c1", "u1", "u2", "u3"}));
  // With both lanes drained, the budgets are whole again.
  EXPECT_TRUE(channel_->Send(std::string(100, 'x')));
  EXPECT_EQ(channel_->dropped_sends(), 0u);
}

TEST_F(ChannelTest, PeerCloseReportsUnavailable) {
  MakeChannel({});
  channel_->Start();
  PeerWrite([] {
    std::string w;
    AppendFrame(w, "last words");
    return w;
  }());
  peer_.Reset();
  ASSERT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
  EXPECT_EQ(received_, std::vector<std::string>{"last words"});
  EXPECT_EQ(closed_count_, 1);
  EXPECT_FALSE(close_status_.ok());
  EXPECT_EQ(close_status_.code(), absl::StatusCode::kUnavailable) << close_status_;
  EXPECT_TRUE(channel_->closed());
  EXPECT_FALSE(channel_->Send("x"));
  EXPECT_EQ(channel_->dropped_sends(), 1u);
  RunFor(absl::Milliseconds(5));
  EXPECT_EQ(closed_count_, 1);
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(ChannelTest, OversizeFrameFromPeerIsSkippedAndCounted) {
  MakeChannel({.max_payload = 1024});
  channel_->Start();
  std::string wire;
  AppendFrame(wire, "fine");
  AppendFrame(wire, std::string(2048, 'o'));
  AppendFrame(wire, "still delivered");
  PeerWrite(wire);
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 2; }));
  EXPECT_EQ(received_, (std::vector<std::string>{"fine", "still delivered"}));
  EXPECT_EQ(channel_->oversize_frames(), 1u);
  EXPECT_EQ(closed_count_, 0);
}

TEST_F(ChannelTest, CorruptFramingFromPeerReportsDataLoss) {
  MakeChannel({.max_payload = 1024});
  channel_->Start();
  std::string wire;
  AppendFrame(wire, "fine");
  wire += std::string("\x07\x00\x00\x00garbage", 11);  // no magic byte
  AppendFrame(wire, "never delivered");
  PeerWrite(wire);
  ASSERT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
  EXPECT_EQ(received_, std::vector<std::string>{"fine"});
  EXPECT_EQ(close_status_.code(), absl::StatusCode::kDataLoss) << close_status_;
  RunFor(absl::Milliseconds(5));
  EXPECT_EQ(closed_count_, 1);
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(ChannelTest, CloseRunsOnClosedOnceAfterOpsComplete) {
  MakeChannel({.max_queued_bytes = 4 << 20});
  channel_->Start();
  // A send bigger than the socket buffer keeps the send op parked in the kernel.
  ASSERT_TRUE(channel_->Send(std::string(1 << 20, 's')));
  RunFor(absl::Milliseconds(5));
  ASSERT_EQ(ring_->ops_in_flight(), 2) << "recv and send should both be in flight";

  channel_->Close();
  EXPECT_TRUE(channel_->closed());
  EXPECT_EQ(closed_count_, 0) << "on_closed must wait for the kernel to release both ops";
  channel_->Close();  // idempotent
  ASSERT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
  EXPECT_EQ(closed_count_, 1);
  EXPECT_EQ(close_status_.code(), absl::StatusCode::kCancelled) << close_status_;
  EXPECT_EQ(ring_->ops_in_flight(), 0);
  RunFor(absl::Milliseconds(5));
  channel_->Close();
  RunFor(absl::Milliseconds(5));
  EXPECT_EQ(closed_count_, 1);
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(ChannelTest, HandlerMayCloseTheChannel) {
  MakeChannel({});
  on_message_hook_ = [this] {
    channel_->Close();
    EXPECT_EQ(closed_count_, 0) << "on_closed must not run inside Close() or on_message";
  };
  channel_->Start();
  std::string wire;
  for (std::string_view m : {"one", "two", "three"}) AppendFrame(wire, m);
  PeerWrite(wire);
  ASSERT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
  EXPECT_EQ(received_, std::vector<std::string>{"one"});
  EXPECT_EQ(close_status_.code(), absl::StatusCode::kCancelled);
  RunFor(absl::Milliseconds(5));
  EXPECT_EQ(closed_count_, 1);
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(ChannelTest, HandlerMayCloseAndOnClosedMayThenDestroy) {
  MakeChannel({});
  on_message_hook_ = [this] { channel_->Close(); };
  on_closed_hook_ = [this] { channel_.reset(); };  // ASan reports any later use of it
  channel_->Start();
  std::string wire;
  for (std::string_view m : {"one", "two"}) AppendFrame(wire, m);
  PeerWrite(wire);
  ASSERT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
  EXPECT_EQ(channel_, nullptr);
  EXPECT_EQ(received_, std::vector<std::string>{"one"});
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

TEST_F(ChannelTest, OnClosedMayDestroyTheChannel) {
  MakeChannel({});
  on_closed_hook_ = [this] { channel_.reset(); };  // ASan reports any later use of it
  channel_->Start();
  peer_.Reset();
  ASSERT_TRUE(RunUntil([&] { return closed_count_ > 0; }));
  EXPECT_EQ(channel_, nullptr);
  EXPECT_EQ(ring_->ops_in_flight(), 0);
}

}  // namespace
}  // namespace ringleader
