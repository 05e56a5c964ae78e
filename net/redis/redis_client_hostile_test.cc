// RedisClient against a hostile fake server: malformed, oversize, gigantic-array, too-deep,
// silent and unsolicited replies. Each fails the call with a clear status, replaces only that
// connection, and a later call succeeds once the fake behaves; no crash, nothing leaks.
#include <gtest/gtest.h>

#include <memory>

#include "net/redis/fake_redis_server_for_test.h"
#include "net/redis/redis_client_fixture_for_test.h"

namespace ringleader {
namespace {

using Mode = FakeRedisServer::Mode;

class RedisHostileTest : public RedisClientFixture {
 protected:
  void SetUp() override {
    RedisClientFixture::SetUp();
    MakeClient({.port = fake_.port(),
                .connections = 1,
                .call_timeout = absl::Milliseconds(300),
                .backoff_min = absl::Milliseconds(10),
                .backoff_max = absl::Milliseconds(100),
                .max_reply_bytes = 64 * 1024});
    client_->Start(*ring_);
    ASSERT_TRUE(RunRingUntil(*ring_, [&] { return client_->connected(); }));
  }

  absl::StatusOr<RedisReply> CallOnce() { return CallAndWait({"PING"}); }

  // After misbehaviour: the fake turns honest and a later call works on a new connection.
  void ExpectRecovery() {
    fake_.Behave(Mode::kHonest);
    absl::StatusOr<RedisReply> reply;
    ASSERT_TRUE(RunRingUntil(*ring_, [&] {
      if (!client_->connected()) return false;
      reply = CallOnce();
      return reply.ok();
    })) << reply.status();
    EXPECT_EQ(reply->type, RedisReply::Type::kStatus);
    EXPECT_EQ(reply->str, "PONG");
  }

  FakeRedisServer fake_;
};

TEST_F(RedisHostileTest, HonestFakeAnswers) {
  auto reply = CallOnce();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->str, "PONG");
}

TEST_F(RedisHostileTest, MalformedReplyIsDataLoss) {
  fake_.Behave(Mode::kScript, "?what\r\n");
  auto reply = CallOnce();
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDataLoss) << reply.status();
  EXPECT_EQ(client_->stats().protocol_errors, 1u);
  ExpectRecovery();
}

TEST_F(RedisHostileTest, EndlessBulkStringStopsAtMaxReplyBytes) {
  fake_.Behave(Mode::kEndless);
  auto reply = CallOnce();
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted) << reply.status();
  EXPECT_NE(reply.status().message().find("65536"), std::string_view::npos) << reply.status();
  ExpectRecovery();
}

TEST_F(RedisHostileTest, GiganticArrayHeaderIsRefused) {
  fake_.Behave(Mode::kScript, "*2000000000\r\n");
  auto reply = CallOnce();
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kResourceExhausted) << reply.status();
  ExpectRecovery();
}

TEST_F(RedisHostileTest, NestingDeeperThanHiredisAllowsIsDataLoss) {
  std::string deep;
  for (int i = 0; i < 10; ++i) deep += "*1\r\n";
  fake_.Behave(Mode::kScript, deep + ":1\r\n");
  auto reply = CallOnce();
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDataLoss) << reply.status();
  ExpectRecovery();
}

TEST_F(RedisHostileTest, PipelinedCallsBehindABadReplyAreUnavailable) {
  fake_.Behave(Mode::kSilent);
  const size_t first = calls_->Make({"PING"});
  const size_t second = calls_->Make({"PING"});
  fake_.Behave(Mode::kScript, "!\r\n");
  const size_t third = calls_->Make({"PING"});  // the fake answers this one with garbage
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return calls_->completed() == 3; }));
  EXPECT_EQ(calls_->result(first).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(calls_->result(second).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls_->result(third).status().code(), absl::StatusCode::kUnavailable);
  ExpectRecovery();
}

TEST_F(RedisHostileTest, SilentServerTimesOutAndTheConnectionIsReplaced) {
  fake_.Behave(Mode::kSilent);
  const int accepted = fake_.accepted();
  const absl::Time start = absl::Now();
  auto reply = CallOnce();
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded) << reply.status();
  EXPECT_GE(took, absl::Milliseconds(290));
  EXPECT_LT(took, absl::Milliseconds(300 + 75 + 200));  // timeout + one tick + slack
  EXPECT_EQ(client_->stats().timeouts, 1u);
  ExpectRecovery();
  EXPECT_GT(fake_.accepted(), accepted);
}

TEST_F(RedisHostileTest, ReplyBeforeAnyCallIsAProtocolError) {
  fake_.Behave(Mode::kGreet, "+HELLO\r\n");
  // Replace the current (honest) connection so the next one is greeted.
  fake_.Behave(Mode::kScript, "!\r\n");
  (void)CallOnce();
  fake_.Behave(Mode::kGreet, "+HELLO\r\n");
  const uint64_t before = client_->stats().protocol_errors;
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return client_->stats().protocol_errors > before; }));
  ExpectRecovery();
}

TEST_F(RedisHostileTest, RedisErrorReplyIsAReplyNotAFailure) {
  fake_.Behave(Mode::kScript, "-ERR unknown command\r\n");
  auto reply = CallOnce();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->type, RedisReply::Type::kError);
  EXPECT_EQ(reply->str, "ERR unknown command");
  EXPECT_TRUE(client_->connected());
  EXPECT_EQ(client_->stats().disconnects, 0u);
}

using RedisClientLifecycleTest = RedisClientFixture;

TEST_F(RedisClientLifecycleTest, CallsBeforeStartAndAfterStopFailOnTheLoop) {
  FakeRedisServer fake;
  RedisOptions options;
  options.port = fake.port();
  MakeClient(options);
  const size_t early = calls_->Make({"PING"});
  EXPECT_FALSE(calls_->done(early));
  client_->Start(*ring_);
  EXPECT_FALSE(calls_->done(early));  // deferred to the loop
  RunRingFor(*ring_, absl::Milliseconds(1));
  EXPECT_EQ(calls_->result(early).status().code(), absl::StatusCode::kUnavailable);
  client_->Stop();
  const size_t late = calls_->Make({"PING"});
  EXPECT_FALSE(calls_->done(late));
  StopAndCheck();
}

TEST_F(RedisClientLifecycleTest, NobodyListeningFailsFastWithTheReason) {
  uint16_t port;
  { FakeRedisServer gone; port = gone.port(); }  // a port that refuses connections now
  RedisOptions options;
  options.port = port;
  options.backoff_min = absl::Milliseconds(5);
  MakeClient(options);
  client_->Start(*ring_);
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return client_->stats().connect_failures >= 2; }));
  const absl::Time start = absl::Now();
  auto reply = CallAndWait({"PING"});
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(50));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(reply.status().message().find("unavailable: Connection refused"),
            std::string_view::npos)
      << reply.status();
}

}  // namespace
}  // namespace ringleader
