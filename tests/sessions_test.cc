// Integration: sessions in a real redis-server are shared by every worker, session routes fail
// fast with 503 while Redis hangs or is gone (the rest of the app unaffected) and recover by
// themselves when it returns, and hostile ids and bodies get clear 4xx answers.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "net/redis/redis_server_process_for_test.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

absl::StatusOr<HttpReply> Request(int port, std::string_view method, std::string_view path,
                                  std::string_view body = {},
                                  absl::Duration timeout = absl::Seconds(3)) {
  ClientConnection c;
  if (absl::Status s = c.Connect(port, timeout); !s.ok()) return s;
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  if (absl::Status s = c.Send(request); !s.ok()) return s;
  return c.ReadResponse();
}

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServerProcess::Available()) GTEST_SKIP() << "no redis-server: run tools/bootstrap";
    redis = std::make_unique<RedisServerProcess>();
    ASSERT_TRUE(redis->Start()) << "redis-server did not answer on port " << redis->port();
  }
  absl::StatusOr<RingleaderServer> StartRingleader(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--workers=2", "--redis=" + redis->address(),
                                     "--redis_timeout=300ms"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RingleaderServer::Start(args);
  }
  std::unique_ptr<RedisServerProcess> redis;
};

TEST_F(SessionsTest, ASessionWrittenThroughOneWorkerIsReadThroughAnother) {
  auto server = StartRingleader();
  ASSERT_TRUE(server.ok()) << server.status();
  auto stored = Request(server->port(), "POST", "/session/ada-1", R"({"user":"ada","n":1})");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->status, 200) << stored->body;
  const long writer = JsonInt(stored->body, "worker");
  ASSERT_GT(writer, 0) << stored->body;
  // Fresh connections spread over the workers: read until another worker has answered.
  long reader = writer;
  std::string seen;
  for (int i = 0; i < 40 && reader == writer; ++i) {
    auto got = Request(server->port(), "GET", "/session/ada-1");
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->status, 200) << got->body;
    reader = JsonInt(got->body, "worker");
    seen = got->body;
  }
  EXPECT_NE(reader, writer) << "every read reached the writer";
  EXPECT_NE(seen.find(R"("session":{"user":"ada","n":1})"), std::string::npos) << seen;
  const std::string ttl = redis->Command("TTL ringleader:session:ada-1");
  EXPECT_TRUE(absl::StartsWith(ttl, ":3")) << "about an hour left: " << ttl;
}

TEST_F(SessionsTest, DeleteRemovesItAndAbsentSessionsAre404) {
  auto server = StartRingleader();
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  EXPECT_EQ(Request(port, "GET", "/session/nobody")->status, 404);
  EXPECT_EQ(Request(port, "POST", "/session/s1", "[1,2,3]")->status, 200);
  EXPECT_EQ(Request(port, "DELETE", "/session/s1")->status, 200);
  EXPECT_EQ(Request(port, "GET", "/session/s1")->status, 404);
  EXPECT_EQ(Request(port, "DELETE", "/session/s1")->status, 404);
  // Workers holding Redis connections still drain and exit cleanly.
  server->process().Signal(SIGTERM);
  const std::optional<int> status = server->process().WaitExit(absl::Seconds(5));
  ASSERT_TRUE(status.has_value()) << server->process().Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->process().Stderr();
  EXPECT_EQ(server->process().Stderr().find("SIGKILL"), std::string::npos);
}

TEST_F(SessionsTest, HostileIdsAndBodiesGetClearErrors) {
  auto server = StartRingleader({"--max_session_bytes=1024"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  const std::string long_id(257, 'a');
  for (const std::string& path : {"/session/" + long_id, std::string("/session/"),
                                 std::string("/session/a%00b"), std::string("/session/../etc"),
                                 std::string("/session/a*b"), std::string("/session/a\"b")}) {
    auto got = Request(port, "GET", path);
    ASSERT_TRUE(got.ok()) << path << ": " << got.status();
    EXPECT_EQ(got->status, 400) << path << ": " << got->body;
    EXPECT_NE(got->body.find("session id"), std::string::npos) << got->body;
  }
  EXPECT_EQ(Request(port, "GET", "/session/" + std::string(256, 'a'))->status, 404);
  auto big = Request(port, "POST", "/session/big", "\"" + std::string(2000, 'x') + "\"");
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->status, 413) << big->body;
  auto not_json = Request(port, "POST", "/session/bad", "{not json");
  ASSERT_TRUE(not_json.ok()) << not_json.status();
  EXPECT_EQ(not_json->status, 400) << not_json->body;
  EXPECT_EQ(redis->Command("DBSIZE"), ":0") << "nothing hostile reached Redis";
  EXPECT_EQ(server->process().Children().size(), 2u) << "no worker died";
}

TEST_F(SessionsTest, WithoutRedisSessionRoutesSayHowToTurnThemOn) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto got = Request(server->port(), "GET", "/session/x");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->status, 503);
  EXPECT_NE(got->body.find("--redis"), std::string::npos) << got->body;
}

// Session routes fail within the call timeout while Redis hangs or is gone; "/" answers as
// always; once Redis is back, sessions work again with the same workers.
TEST_F(SessionsTest, RedisGoneFailsFastAndComesBackByItself) {
  auto server = StartRingleader();
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  const auto workers = server->process().Children();
  ASSERT_EQ(Request(port, "POST", "/session/k", "1")->status, 200);

  redis->Signal(SIGSTOP);  // hangs: connections stay open, nothing is answered
  for (int i = 0; i < 4; ++i) {
    const absl::Time start = absl::Now();
    auto got = Request(port, "GET", "/session/k");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->status, 503) << got->body;
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(300 + 500)) << "timeout is 300 ms";
    EXPECT_EQ(Request(port, "GET", "/")->status, 200);
  }
  redis->Signal(SIGCONT);
  redis->Kill();  // gone: refused at once
  for (int i = 0; i < 4; ++i) {
    const absl::Time start = absl::Now();
    auto got = Request(port, "GET", "/session/k");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->status, 503) << got->body;
    EXPECT_NE(got->body.find("redis"), std::string::npos) << got->body;
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(300 + 500));
    EXPECT_EQ(Request(port, "GET", "/health")->status, 200);
  }

  ASSERT_TRUE(redis->Start());
  // The restarted Redis is empty (no persistence): write, then read through every worker.
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] {
    auto stored = Request(port, "POST", "/session/k", "2", absl::Seconds(1));
    return stored.ok() && stored->status == 200;
  })) << "sessions did not come back";
  // Each worker reconnects on its own backoff (at most 2 s): soon every read succeeds.
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] {
    for (int i = 0; i < 10; ++i) {
      auto got = Request(port, "GET", "/session/k");
      if (!got.ok() || got->status != 200) return false;
    }
    return true;
  })) << "a worker still fails after Redis came back";
  EXPECT_EQ(server->process().Children(), workers) << "ringleader's workers were restarted";
}

}  // namespace
}  // namespace ringleader::testing
