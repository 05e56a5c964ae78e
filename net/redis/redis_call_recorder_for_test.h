// CallRecorder (tests only): makes calls on a RedisClient and records every outcome, so a test
// can assert the callback contract — each callback exactly once, never inside Call() itself.
//
//   CallRecorder calls(client);
//   size_t id = calls.Make({"GET", "k"});
//   ASSERT_TRUE(RunRingUntil(*ring, [&] { return calls.done(id); }));
//   EXPECT_EQ(calls.result(id)->str, "v");
//   calls.ExpectEachExactlyOnce();
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <initializer_list>
#include <string_view>

#include "net/redis/redis_client.h"

namespace ringleader {

class CallRecorder {
 public:
  explicit CallRecorder(RedisClient& client) : client_(client) {}

  size_t Make(std::initializer_list<std::string_view> args) {
    const size_t id = outcomes_.size();
    outcomes_.emplace_back();
    inside_call_ = true;
    client_.Call(args, [this, id](absl::StatusOr<RedisReply> result) noexcept {
      Outcome& o = outcomes_[id];
      ++o.runs;
      if (inside_call_) ++runs_inside_call_;
      o.result = std::move(result);
      ++completed_;
    });
    inside_call_ = false;
    return id;
  }

  bool done(size_t id) const { return outcomes_[id].runs > 0; }
  size_t completed() const { return completed_; }
  size_t made() const { return outcomes_.size(); }
  const absl::StatusOr<RedisReply>& result(size_t id) const { return outcomes_[id].result; }

  void ExpectEachExactlyOnce() const {
    EXPECT_EQ(runs_inside_call_, 0u) << "a callback ran inside Call()";
    for (size_t id = 0; id < outcomes_.size(); ++id) {
      EXPECT_EQ(outcomes_[id].runs, 1) << "call " << id;
    }
  }

 private:
  struct Outcome {
    int runs = 0;
    absl::StatusOr<RedisReply> result = absl::UnknownError("not run");
  };
  RedisClient& client_;
  std::deque<Outcome> outcomes_;  // stable addresses while calls are added
  size_t completed_ = 0;
  size_t runs_inside_call_ = 0;
  bool inside_call_ = false;
};

}  // namespace ringleader
