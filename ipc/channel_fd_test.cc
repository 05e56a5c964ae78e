// Unit test for descriptor passing (SCM_RIGHTS) between two Channels on one ring.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

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

}  // namespace
}  // namespace ringleader
