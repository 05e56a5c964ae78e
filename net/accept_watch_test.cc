// Unit tests for net/accept_watch.h on a real loopback listener.
#include "net/accept_watch.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/unique_fd.h"

namespace ringleader {
namespace {

class AcceptWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    listener = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
    ASSERT_EQ(::listen(listener.get(), 8), 0);
    ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  }
  UniqueFd ConnectOne() {
    UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(::connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return c;
  }
  UniqueFd listener;
  sockaddr_in addr{};
};

TEST_F(AcceptWatchTest, AnEmptyQueueIsNeverStalled) {
  AcceptWatch watch;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(watch.Stalled(listener.get(), 0));
}

TEST_F(AcceptWatchTest, ConnectionsWaitingAtTwoChecksWithoutProgressAreAStallReportedOnce) {
  AcceptWatch watch;
  UniqueFd client = ConnectOne();
  ASSERT_TRUE(ListenerHasWaiting(listener.get()));
  EXPECT_FALSE(watch.Stalled(listener.get(), 0)) << "one check may just be a busy moment";
  EXPECT_TRUE(watch.Stalled(listener.get(), 0));
  EXPECT_FALSE(watch.Stalled(listener.get(), 0)) << "re-armed: give it a fresh chance";
  EXPECT_TRUE(watch.Stalled(listener.get(), 0));
}

TEST_F(AcceptWatchTest, AcceptsInBetweenAreProgressNotAStall) {
  AcceptWatch watch;
  UniqueFd client = ConnectOne();
  uint64_t accepted = 0;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(watch.Stalled(listener.get(), ++accepted));
}

}  // namespace
}  // namespace ringleader
