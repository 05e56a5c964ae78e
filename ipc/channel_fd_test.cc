// Unit test for descriptor passing (SCM_RIGHTS) between two Channels on one ring.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include <string>
#include <vector>

#include "core/ring_test_util.h"
#include "core/ops.h"
#include "core/ring.h"
#include "ipc/channel.h"

namespace ringleader {
namespace {

// A ring, a socketpair for two channels, and a pipe whose write end gets passed around.
class ChannelFdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Ring::Create();
    ASSERT_TRUE(created.ok());
    ring = std::move(*created);
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    ASSERT_EQ(::pipe(pipe_fds), 0);
  }
  std::unique_ptr<Ring> ring;
  int pair[2] = {-1, -1};
  int pipe_fds[2] = {-1, -1};
};

TEST_F(ChannelFdTest, DescriptorArrivesWithItsFrameAmongOrdinaryFrames) {

  std::vector<std::string> received;
  std::vector<bool> had_fd;
  Channel* receiver_ptr = nullptr;
  Channel sender(*ring, UniqueFd(pair[0]), {}, {.on_message = [](std::string_view) {},
                                                  .on_closed = [](const absl::Status&) {}});
  Channel receiver(*ring, UniqueFd(pair[1]), {.accept_fds = true},
                   {.on_message =
                        [&](std::string_view payload) {
                          received.emplace_back(payload);
                          UniqueFd fd = payload == "with-fd" ? receiver_ptr->TakeReceivedFd()
                                                             : UniqueFd();
                          had_fd.push_back(static_cast<bool>(fd));
                          // Prove it is the pipe: write through the passed descriptor.
                          if (fd) EXPECT_EQ(::write(fd.get(), "via-fd", 6), 6);
                        },
                    .on_closed = [](const absl::Status&) {}});
  receiver_ptr = &receiver;
  receiver.Start();
  sender.Start();
  ASSERT_TRUE(sender.Send("before"));
  ASSERT_TRUE(sender.SendWithFd("with-fd", UniqueFd(::dup(pipe_fds[1]))));
  ASSERT_TRUE(sender.Send("after"));

  ASSERT_TRUE(RunRingUntil(*ring, [&] { return received.size() == 3; }));
  ASSERT_EQ(received, (std::vector<std::string>{"before", "with-fd", "after"}));
  EXPECT_EQ(had_fd, (std::vector<bool>{false, true, false}));
  char buffer[16] = {};
  ASSERT_EQ(::read(pipe_fds[0], buffer, sizeof buffer), 6);
  EXPECT_EQ(std::string(buffer, 6), "via-fd");

  // Tear down: close both channels and let every op finish before they are destroyed.
  sender.Close();
  receiver.Close();
  RunRingUntil(*ring, [&] { return ring->ops_in_flight() == 0; });
  EXPECT_EQ(ring->ops_in_flight(), 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST_F(ChannelFdTest, DescriptorsAreClosedOnArrivalUnlessAccepted) {
  int received = 0;
  Channel sender(*ring, UniqueFd(pair[0]), {}, {.on_message = [](std::string_view) {},
                                                  .on_closed = [](const absl::Status&) {}});
  Channel primary_side(*ring, UniqueFd(pair[1]), {},  // accept_fds defaults to false
                       {.on_message = [&](std::string_view) { ++received; },
                        .on_closed = [](const absl::Status&) {}});
  primary_side.Start();
  sender.Start();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sender.SendWithFd("fd", UniqueFd(::dup(pipe_fds[1]))));
  ASSERT_TRUE(RunRingUntil(*ring, [&] { return received == 5; }));
  EXPECT_EQ(primary_side.refused_fds(), 5u);
  EXPECT_FALSE(primary_side.TakeReceivedFd());
  // Every duplicate of the write end is closed again: closing ours makes the pipe report EOF.
  ::close(pipe_fds[1]);
  char c;
  EXPECT_EQ(::read(pipe_fds[0], &c, 1), 0) << "a passed descriptor leaked";
  ::close(pipe_fds[0]);
  sender.Close();
  primary_side.Close();
  RunRingUntil(*ring, [&] { return ring->ops_in_flight() == 0; });
}


TEST_F(ChannelFdTest, ManyDescriptorsOnTheControlLaneArriveInOrderInFewSends) {
  constexpr int kCount = 100;
  std::vector<std::pair<UniqueFd, UniqueFd>> pipes;  // read end, write end
  for (int i = 0; i < kCount; ++i) {
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    pipes.emplace_back(UniqueFd(p[0]), UniqueFd(p[1]));
  }
  int received = 0;
  Channel* receiver_ptr = nullptr;
  Channel sender(*ring, UniqueFd(pair[0]), {}, {.on_message = [](std::string_view) {},
                                                  .on_closed = [](const absl::Status&) {}});
  Channel receiver(*ring, UniqueFd(pair[1]), {.accept_fds = true},
                   {.on_message =
                        [&](std::string_view payload) {
                          // Each frame writes its own text through the descriptor it took.
                          UniqueFd fd = receiver_ptr->TakeReceivedFd();
                          ASSERT_TRUE(fd) << "frame " << payload << " arrived without its fd";
                          EXPECT_EQ(::write(fd.get(), payload.data(), payload.size()),
                                    static_cast<ssize_t>(payload.size()));
                          ++received;
                        },
                    .on_closed = [](const absl::Status&) {}});
  receiver_ptr = &receiver;
  receiver.Start();
  sender.Start();
  for (int i = 0; i < kCount; ++i) {
    ASSERT_TRUE(sender.SendWithFd(std::to_string(i), std::move(pipes[i].second), Lane::kControl));
  }
  ASSERT_TRUE(RunRingUntil(*ring, [&] { return received == kCount; }));
  for (int i = 0; i < kCount; ++i) {
    char buffer[8] = {};
    const ssize_t n = ::read(pipes[i].first.get(), buffer, sizeof buffer);
    EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0), std::to_string(i))
        << "descriptor " << i << " went to another frame";
  }
  EXPECT_EQ(receiver.refused_fds(), 0u);
  sender.Close();
  receiver.Close();
  RunRingUntil(*ring, [&] { return ring->ops_in_flight() == 0; });
}

TEST_F(ChannelFdTest, DescriptorsNeverSentAreClosedWithTheChannel) {
  constexpr int kCount = 100;
  bool closed = false;
  {
    Channel sender(*ring, UniqueFd(pair[0]), {}, {.on_message = [](std::string_view) {},
                                                    .on_closed = [&](const absl::Status&) {
                                                      closed = true;
                                                    }});
    sender.Start();
    sender.Cork();  // nothing leaves: every descriptor is still queued at the close
    for (int i = 0; i < kCount; ++i) {
      ASSERT_TRUE(sender.SendWithFd("fd", UniqueFd(::dup(pipe_fds[1])), Lane::kControl));
    }
    sender.Close();
    ASSERT_TRUE(RunRingUntil(*ring, [&] { return closed; }));
  }
  UniqueFd peer(pair[1]);
  char data[64];
  EXPECT_LE(::recv(peer.get(), data, sizeof data, MSG_DONTWAIT), 0) << "a corked frame was sent";
  ::close(pipe_fds[1]);
  char c;
  EXPECT_EQ(::read(pipe_fds[0], &c, 1), 0) << "a descriptor leaked";
  ::close(pipe_fds[0]);
}

}  // namespace
}  // namespace ringleader
