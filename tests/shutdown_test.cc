// Integration: SIGTERM stops the whole cluster cleanly; SIGKILL of the primary takes every
// worker with it (PR_SET_PDEATHSIG plus the closed channel).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

bool PortAcceptsConnections(int port) {
  ClientConnection c;
  return c.Connect(port, absl::Milliseconds(200)).ok();
}

bool PortCanBeBound(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = LoopbackAddress(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::listen(fd, 1) == 0;
  ::close(fd);
  return ok;
}

TEST(Shutdown, SigtermExitsZeroFreesThePortAndLeavesNoProcess) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const auto workers = server->process().Children();
  ASSERT_THAT(workers, SizeIs(2));
  ASSERT_TRUE(HttpGet(server->port(), "/").ok());

  server->process().Signal(SIGTERM);
  const auto status = server->process().WaitExit(absl::Seconds(5));
  ASSERT_TRUE(status.has_value()) << "still running 5 s after SIGTERM\n"
                                  << server->process().Stderr();
  ASSERT_TRUE(WIFEXITED(*status)) << server->process().Stderr();
  EXPECT_EQ(WEXITSTATUS(*status), 0) << server->process().Stderr();

  for (pid_t w : workers) EXPECT_FALSE(ProcessAlive(w)) << "worker " << w << " left behind";
  EXPECT_FALSE(PortAcceptsConnections(server->port()));
  EXPECT_TRUE(PortCanBeBound(server->port()));

  const TraceFile trace = server->Trace();
  EXPECT_THAT(trace.errors, IsEmpty());
  for (pid_t w : workers) {
    EXPECT_THAT(trace.Path(w), ElementsAre("null>forking", "forking>online", "online>listening",
                                           "listening>draining", "draining>dead"));
    EXPECT_EQ(trace.ForPid(w).back().cause, "code 0");
  }
}

TEST(Shutdown, SigkillOfThePrimaryTakesEveryWorkerWithinTwoSeconds) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const auto workers = server->process().Children();
  ASSERT_THAT(workers, SizeIs(2));

  server->process().Signal(SIGKILL);
  ASSERT_TRUE(server->process().WaitExit(absl::Seconds(2)).has_value());
  const bool all_gone = Eventually(absl::Seconds(2), [&] {
    for (pid_t w : workers) {
      if (ProcessAlive(w)) return false;
    }
    return true;
  });
  EXPECT_TRUE(all_gone) << "orphaned workers survived their primary";
  EXPECT_FALSE(PortAcceptsConnections(server->port()));
}

TEST(Shutdown, WorkerDrainingWhenThePrimaryDiesStillExitsWithinTwoSeconds) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const pid_t worker = server->process().Children().at(0);
  ClientConnection held;
  ASSERT_TRUE(held.Connect(server->port()).ok());
  ASSERT_TRUE(held.Send("GET /delay/20000 HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  absl::SleepFor(absl::Milliseconds(100));
  server->process().Signal(SIGTERM);  // the worker starts draining, held by the slow request
  ASSERT_TRUE(server->process().WaitForLog("stopping 1 workers", absl::Seconds(2)));
  server->process().Signal(SIGKILL);  // ... and then its primary is gone
  ASSERT_TRUE(server->process().WaitExit(absl::Seconds(2)).has_value());
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] { return !ProcessAlive(worker); }))
      << "an orphan must not wait for its slow request";
}

TEST(Shutdown, SecondSigtermForcesAnImmediateStop) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  // A request held in flight keeps the worker draining; the second signal must not wait for it.
  ClientConnection held;
  ASSERT_TRUE(held.Connect(server->port()).ok());
  ASSERT_TRUE(held.Send("GET /delay/10000 HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  absl::SleepFor(absl::Milliseconds(100));

  server->process().Signal(SIGTERM);
  ASSERT_TRUE(server->process().WaitForLog("stopping 1 workers", absl::Seconds(2)));
  server->process().Signal(SIGTERM);
  const auto status = server->process().WaitExit(absl::Seconds(3));
  ASSERT_TRUE(status.has_value()) << server->process().Stderr();
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1) << "a forced stop reports exit status 1";
}

}  // namespace
}  // namespace ringleader::testing
