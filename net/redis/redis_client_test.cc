// RedisClient against a real redis-server (Debian's /usr/bin/redis-server) on a loopback port of
// its own: round trips, deep pipelining across the pool, nil and error replies, the server
// killed mid-run (fail fast) and restarted (recovery without a new client), Stop() mid-flight.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/redis/redis_client_fixture_for_test.h"
#include "net/redis/redis_server_process_for_test.h"

namespace ringleader {
namespace {

class RedisClientTest : public RedisClientFixture {
 protected:
  void SetUp() override {
    if (!RedisServerProcess::Available()) GTEST_SKIP() << "no " << RedisServerProcess::kBinary;
    ASSERT_TRUE(server_.Start()) << "redis-server did not answer on port " << server_.port();
    RedisClientFixture::SetUp();
    MakeClient({.port = server_.port(),
                .connections = 2,
                .call_timeout = absl::Seconds(1),
                .backoff_min = absl::Milliseconds(20),
                .backoff_max = absl::Milliseconds(200),
                .max_pending_per_connection = 8192});
    client_->Start(*ring_);
  }

  RedisServerProcess server_;  // killed and reaped by its destructor, after TearDown
};

TEST_F(RedisClientTest, SetGetExpireDelRoundTrip) {
  // Calls made right after Start wait for the first connect instead of failing.
  auto set = CallAndWait({"SET", "session:1", std::string_view("{\"a\":\0}", 7), "EX", "3600"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->type, RedisReply::Type::kStatus);
  EXPECT_EQ(set->str, "OK");
  auto get = CallAndWait({"GET", "session:1"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->type, RedisReply::Type::kString);
  EXPECT_EQ(get->str, std::string("{\"a\":\0}", 7));
  auto ttl = CallAndWait({"TTL", "session:1"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 3500);
  auto expire = CallAndWait({"EXPIRE", "session:1", "10"});
  ASSERT_TRUE(expire.ok());
  EXPECT_EQ(expire->integer, 1);
  auto del = CallAndWait({"DEL", "session:1"});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->integer, 1);
  auto gone = CallAndWait({"GET", "session:1"});
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->type, RedisReply::Type::kNil);
}

TEST_F(RedisClientTest, ErrorReplyIsAReply) {
  auto reply = CallAndWait({"NOSUCHCOMMAND", "x"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->type, RedisReply::Type::kError);
  EXPECT_NE(reply->str.find("ERR"), std::string::npos) << reply->str;
  auto array = CallAndWait({"MGET", "nope1", "nope2"});
  ASSERT_TRUE(array.ok());
  ASSERT_EQ(array->elements.size(), 2u);
  EXPECT_EQ(array->elements[0].type, RedisReply::Type::kNil);
}

TEST_F(RedisClientTest, TenThousandPipelinedCallsAnswerInOrder) {
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return client_->stats().connects == 2; }));
  constexpr int kCalls = 10'000;
  std::vector<std::string> keys, values;
  for (int i = 0; i < kCalls; ++i) {
    keys.push_back("k" + std::to_string(i));
    values.push_back("v" + std::to_string(i * 7));
  }
  // Two waves of 10,000 calls in flight: across connections only the per-connection order
  // holds, so every SET is answered before the GETs start.
  for (int i = 0; i < kCalls; ++i) calls_->Make({"SET", keys[i], values[i]});
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return calls_->completed() == kCalls; },
                           absl::Seconds(20)));
  std::vector<size_t> gets;
  for (int i = 0; i < kCalls; ++i) gets.push_back(calls_->Make({"GET", keys[i]}));
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return calls_->completed() == 2 * kCalls; },
                           absl::Seconds(20)));
  for (int i = 0; i < kCalls; ++i) {
    const auto& reply = calls_->result(gets[i]);
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status();
    ASSERT_EQ(reply->str, values[i]) << i;
  }
  EXPECT_EQ(client_->stats().replies, 2u * kCalls);
  EXPECT_EQ(client_->stats().failures, 0u);
}

TEST_F(RedisClientTest, ServerGoneFailsFastThenRecoversByItself) {
  ASSERT_TRUE(CallAndWait({"SET", "k", "before"}).ok());
  server_.Kill();
  // The pool notices (EOF), then every call fails at once: no waiting for call_timeout.
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return !client_->connected(); }));
  const absl::Time start = absl::Now();
  auto down = CallAndWait({"GET", "k"});
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(100));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable) << down.status();
  EXPECT_NE(down.status().message().find("unavailable"), std::string_view::npos);
  // Let the backoff grow a little, then bring Redis back on the same port.
  RunRingFor(*ring_, absl::Milliseconds(300));
  EXPECT_GT(client_->stats().connect_failures, 0u);
  ASSERT_TRUE(server_.Start());
  absl::StatusOr<RedisReply> up;
  ASSERT_TRUE(RunRingUntil(*ring_, [&] {
    up = CallAndWait({"SET", "k", "after"});
    return up.ok();
  })) << up.status();
  auto get = CallAndWait({"GET", "k"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->str, "after");
}

TEST_F(RedisClientTest, StopWithCallsPendingRunsEachCallbackOnce) {
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return client_->connected(); }));
  for (int i = 0; i < 500; ++i) calls_->Make({"INCR", "counter"});
  client_->Stop();  // before the loop had a turn: everything is still pending
  EXPECT_EQ(calls_->completed(), 500u);
  EXPECT_EQ(calls_->result(0).status().code(), absl::StatusCode::kCancelled);
  const size_t late = calls_->Make({"PING"});
  ASSERT_TRUE(RunRingUntil(*ring_, [&] { return !client_->in_flight() && calls_->done(late); }));
  EXPECT_EQ(calls_->result(late).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ringleader
