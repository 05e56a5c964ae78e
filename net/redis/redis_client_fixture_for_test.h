// RedisClientFixture (tests only): a ring, a RedisClient on it and a CallRecorder, torn down the
// way an owner must — Stop(), run the ring until nothing is in flight — then checked: every
// callback ran exactly once, never inside Call(), and the ring holds no op.
//
//   class MyTest : public RedisClientFixture {};
//   TEST_F(MyTest, Works) {
//     MakeClient(options);
//     client_->Start(*ring_);
//     auto reply = CallAndWait({"PING"});
//   }
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string_view>

#include "core/ring.h"
#include "core/ring_test_util.h"
#include "net/redis/redis_call_recorder_for_test.h"
#include "net/redis/redis_client.h"

namespace ringleader {

class RedisClientFixture : public testing::Test {
 protected:
  void SetUp() override {
    auto ring = Ring::Create();
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
  }
  void TearDown() override {
    if (client_ != nullptr) StopAndCheck();
  }

  // A client on `options`, not started.
  void MakeClient(const RedisOptions& options) {
    client_ = std::make_unique<RedisClient>(options);
    calls_ = std::make_unique<CallRecorder>(*client_);
  }

  void StopAndCheck() {
    const bool had_ops = client_->in_flight();
    bool told_idle = false;
    client_->Stop([&] { told_idle = true; });
    ASSERT_TRUE(RunRingUntil(*ring_, [&] { return !client_->in_flight(); }));
    EXPECT_EQ(told_idle, had_ops) << "Stop's on_idle runs once its last op completed";
    RunRingFor(*ring_, absl::Milliseconds(1));  // deferred failures run
    calls_->ExpectEachExactlyOnce();
    EXPECT_EQ(ring_->ops_in_flight(), 0);
    calls_.reset();
    client_.reset();
  }

  // One call, run to completion.
  absl::StatusOr<RedisReply> CallAndWait(std::initializer_list<std::string_view> args) {
    const size_t id = calls_->Make(args);
    EXPECT_TRUE(RunRingUntil(*ring_, [&] { return calls_->done(id); }));
    return calls_->result(id);
  }

  std::unique_ptr<Ring> ring_;
  std::unique_ptr<RedisClient> client_;
  std::unique_ptr<CallRecorder> calls_;
};

}  // namespace ringleader
