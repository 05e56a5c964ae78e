// Integration: `ringleader --workers=2` serves the built-in app from two worker processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(ClusterServe, RootAndHealthAnswerJsonFromTwoWorkers) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_THAT(server->process().Children(), SizeIs(2));

  auto root = HttpGet(server->port(), "/");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->Header("Content-Type"), "application/json");
  EXPECT_EQ(root->Header("Content-Length"), std::to_string(root->body.size()));
  EXPECT_GT(JsonInt(root->body, "worker"), 0);
  EXPECT_EQ(root->body, "{\"worker\":" + std::to_string(JsonInt(root->body, "worker")) + "}");

  auto health = HttpGet(server->port(), "/health");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  const long pid = JsonInt(health->body, "pid");
  EXPECT_EQ(health->body, "{\"pid\":" + std::to_string(pid) + ",\"status\":\"ok\"}");

  // Each worker re-arms a one-shot accept at the tail of the listener's wait queue, so fresh
  // connections alternate between the workers.
  const std::vector<long> pids = server->DistinctWorkerPids(12);
  EXPECT_THAT(pids, SizeIs(2));
  for (long p : pids) {
    const auto children = server->process().Children();
    EXPECT_NE(std::find(children.begin(), children.end(), p), children.end())
        << p << " is not a worker of the primary";
  }
}

TEST(ClusterServe, UnknownPathIsJson404AndKeepAliveIsReused) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(c.Send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n").ok());
    auto reply = c.ReadResponse();
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 404);
    EXPECT_EQ(reply->Header("Content-Type"), "application/json");
    EXPECT_THAT(reply->body, HasSubstr("\"status\":404"));
  }
}

TEST(ClusterServe, WorkersDefaultToOnePerCpuAndMaxIsAccepted) {
  auto server = RingleaderServer::Start({"--workers=max"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT(server->process().Children(), SizeIs(static_cast<size_t>(::sysconf(_SC_NPROCESSORS_ONLN))));
}

}  // namespace
}  // namespace ringleader::testing
