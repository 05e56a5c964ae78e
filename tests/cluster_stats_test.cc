// Integration: the shared-memory region counts every request cluster-wide, across worker
// restarts, and stays consistent when workers are SIGKILLed in the middle of updating it.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>
#include <string>

#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

// Waits until stderr has announced `total` listening workers since the start.
bool ListeningCount(RingleaderServer& server, int total) {
  return server.process().WaitForLog(" is listening", absl::Seconds(10), total);
}

TEST(ClusterStats, TheClusterCountIsEveryRequestSentAcrossAWorkerRestart) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  int sent = 0;
  auto send_batch = [&](int n) {
    for (int i = 0; i < n; ++i) {
      auto got = HttpGet(port, i % 3 == 0 ? "/health" : (i % 3 == 1 ? "/" : "/nowhere"));
      ASSERT_TRUE(got.ok()) << got.status();
      ++sent;
    }
  };
  send_batch(60);
  const auto before = server->process().Children();
  ASSERT_EQ(before.size(), 2u);
  ASSERT_EQ(::kill(before[0], SIGKILL), 0);
  ASSERT_TRUE(ListeningCount(*server, 3)) << server->process().Stderr();
  send_batch(60);
  auto stats = HttpGet(port, "/stats");
  ASSERT_TRUE(stats.ok()) << stats.status();
  ++sent;
  ASSERT_EQ(stats->status, 200) << stats->body;
  EXPECT_EQ(JsonInt(stats->body, "cluster_requests"), sent) << stats->body;
  const long mine = JsonInt(stats->body, "worker_requests");
  EXPECT_GT(mine, 0) << stats->body;
  EXPECT_LT(mine, sent) << "one worker alone cannot have served them all: " << stats->body;
  // The board lists the serving workers by slot, the replacement included.
  for (pid_t p : server->process().Children()) {
    EXPECT_NE(stats->body.find("\"pid\":" + std::to_string(p)), std::string::npos)
        << p << " missing from " << stats->body;
  }
}

// A worker loops on shared-memory updates (counter adds and table writes of self-checking
// values) until it is SIGKILLed at a random moment; over many kills, the region never shows a
// torn entry and the counters never go backwards.
TEST(ClusterStats, WorkersKilledMidUpdateLeaveTheRegionConsistent) {
  auto server = RingleaderServer::Start(
      {"--workers=2", "--debug_endpoints", "--min_uptime=0s", "--watchdog_timeout=0s"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  std::mt19937 random(42);
  long last_churned = 0;
  long last_cluster = 0;
  int listening = 2;
  constexpr int kKills = 25;
  for (int kill = 0; kill < kKills; ++kill) {
    ClientConnection churn;
    ASSERT_TRUE(churn.Connect(port).ok());
    ASSERT_TRUE(churn.Send("POST /debug/shared_churn HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: 0\r\n\r\n")
                    .ok());
    absl::SleepFor(absl::Microseconds(std::uniform_int_distribution<int>(2000, 20000)(random)));
    // Whichever worker took it is churning: kill both.
    for (pid_t p : server->process().Children()) ::kill(p, SIGKILL);
    listening += 2;
    ASSERT_TRUE(ListeningCount(*server, listening)) << "kill " << kill;
    auto check = HttpGet(port, "/debug/shared_check");
    ASSERT_TRUE(check.ok()) << check.status();
    ASSERT_EQ(check->status, 200) << check->body;
    EXPECT_EQ(JsonInt(check->body, "torn"), 0) << "kill " << kill << ": " << check->body;
    const long churned = JsonInt(check->body, "churn_counter");
    const long cluster = JsonInt(check->body, "cluster_requests");
    EXPECT_GE(churned, last_churned) << "kill " << kill;
    EXPECT_GT(cluster, last_cluster) << "kill " << kill;
    last_churned = churned;
    last_cluster = cluster;
  }
  EXPECT_GT(last_churned, kKills) << "the workers were not updating when killed";
  std::printf("%d kills mid-update: %ld churn updates, 0 torn entries\n", kKills, last_churned);
}

}  // namespace
}  // namespace ringleader::testing
