// Unit tests for fsm/restart_policy.h: immediate restarts, backoff with jitter, reset, parking.
#include "fsm/restart_policy.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace ringleader {
namespace {

constexpr Death kServed = Death::kAfterListening;  // an ordinary death: uptime decides
constexpr absl::Duration kQuick = absl::Milliseconds(50);  // under the default min_uptime (1 s)
const absl::Time kT0 = absl::UnixEpoch() + absl::Hours(1000);

// Jitter is ±20% around the nominal backoff.
void ExpectWithinJitter(absl::Duration actual, absl::Duration nominal) {
  EXPECT_GE(actual, nominal * 0.8) << "nominal " << nominal;
  EXPECT_LE(actual, nominal * 1.2) << "nominal " << nominal;
}

// Options that never park, so the backoff sequence can be followed as far as needed.
RestartPolicyOptions NoParking() {
  RestartPolicyOptions o;
  o.max_restarts = 1'000'000;
  return o;
}

TEST(RestartPolicyTest, StableUptimeRestartsAtOnce) {
  RestartPolicy policy({});
  for (absl::Duration uptime : {absl::Seconds(1), absl::Seconds(5), absl::Hours(3)}) {
    const RestartDecision d = policy.OnExit(uptime, kT0, kServed);
    EXPECT_FALSE(d.park) << uptime;
    EXPECT_FALSE(d.quick_death) << uptime;
    EXPECT_EQ(d.delay, absl::ZeroDuration()) << uptime;
  }
}

TEST(RestartPolicyTest, FirstQuickDeathWaitsAboutInitialBackoff) {
  RestartPolicy policy({});
  const RestartDecision d = policy.OnExit(kQuick, kT0, kServed);
  EXPECT_FALSE(d.park);
  EXPECT_TRUE(d.quick_death);
  ExpectWithinJitter(d.delay, absl::Milliseconds(100));
}

TEST(RestartPolicyTest, JustUnderMinUptimeIsQuick) {
  RestartPolicy policy({.min_uptime = absl::Seconds(2)});
  EXPECT_TRUE(policy.OnExit(absl::Seconds(2) - absl::Nanoseconds(1), kT0, kServed).quick_death);
  EXPECT_FALSE(policy.OnExit(absl::Seconds(2), kT0 + absl::Seconds(5), kServed).quick_death);
}

TEST(RestartPolicyTest, BackoffDoublesUpToTheCap) {
  RestartPolicyOptions options = NoParking();
  options.max_backoff = absl::Seconds(1);
  RestartPolicy policy(options);
  const std::vector<absl::Duration> nominal = {
      absl::Milliseconds(100), absl::Milliseconds(200), absl::Milliseconds(400),
      absl::Milliseconds(800), absl::Seconds(1),        absl::Seconds(1),
      absl::Seconds(1)};
  absl::Time now = kT0;
  for (absl::Duration expected : nominal) {
    now += absl::Seconds(1);
    const RestartDecision d = policy.OnExit(kQuick, now, kServed);
    ASSERT_FALSE(d.park);
    ExpectWithinJitter(d.delay, expected);
  }
}

TEST(RestartPolicyTest, DefaultCapIsThirtySeconds) {
  RestartPolicy policy(NoParking());
  absl::Duration last;
  for (int i = 0; i < 20; ++i) last = policy.OnExit(kQuick, kT0 + absl::Seconds(i), kServed).delay;
  ExpectWithinJitter(last, absl::Seconds(30));
}

TEST(RestartPolicyTest, JitterVariesAndStaysInBand) {
  RestartPolicyOptions options = NoParking();
  options.initial_backoff = absl::Seconds(1);
  options.max_backoff = absl::Seconds(1);  // every delay is nominally 1 s
  RestartPolicy policy(options);
  std::set<int64_t> distinct;
  for (int i = 0; i < 50; ++i) {
    const absl::Duration d = policy.OnExit(kQuick, kT0 + absl::Seconds(i), kServed).delay;
    ExpectWithinJitter(d, absl::Seconds(1));
    distinct.insert(absl::ToInt64Microseconds(d));
  }
  EXPECT_GT(distinct.size(), 10u) << "jitter should spread retries";
}

TEST(RestartPolicyTest, StableRunResetsBackoff) {
  RestartPolicy policy(NoParking());
  absl::Time now = kT0;
  // Four quick deaths: the backoff reaches 800 ms.
  for (int i = 0; i < 4; ++i) policy.OnExit(kQuick, now += absl::Seconds(1), kServed);
  const RestartDecision stable =
      policy.OnExit(absl::Seconds(30), now += absl::Seconds(31), kServed);
  EXPECT_EQ(stable.delay, absl::ZeroDuration());
  EXPECT_FALSE(stable.quick_death);
  ExpectWithinJitter(policy.OnExit(kQuick, now += absl::Seconds(1), kServed).delay,
                     absl::Milliseconds(100));
}

TEST(RestartPolicyTest, OrdinaryCrashShorterThanStableAfterKeepsBackoff) {
  RestartPolicy policy(NoParking());
  absl::Time now = kT0;
  policy.OnExit(kQuick, now += absl::Seconds(1), kServed);  // 100 ms
  policy.OnExit(kQuick, now += absl::Seconds(1), kServed);  // 200 ms
  // Lived 5 s: restarts at once, but 5 s is not "stable" (stable_after is 30 s).
  EXPECT_EQ(policy.OnExit(absl::Seconds(5), now += absl::Seconds(6), kServed).delay,
            absl::ZeroDuration());
  ExpectWithinJitter(policy.OnExit(kQuick, now += absl::Seconds(1), kServed).delay,
                     absl::Milliseconds(400));
}

TEST(RestartPolicyTest, MaxRestartsQuickDeathsWithinWindowPark) {
  RestartPolicy policy({.max_restarts = 10, .window = absl::Seconds(60)});
  absl::Time now = kT0;
  for (int i = 1; i < 10; ++i) {
    const RestartDecision d = policy.OnExit(kQuick, now += absl::Seconds(1), kServed);
    ASSERT_FALSE(d.park) << "death " << i;
    EXPECT_GT(d.delay, absl::ZeroDuration());
  }
  const RestartDecision tenth = policy.OnExit(kQuick, now += absl::Seconds(1), kServed);
  EXPECT_TRUE(tenth.park);
  EXPECT_TRUE(tenth.quick_death);
}

TEST(RestartPolicyTest, DeathsSpreadBeyondTheWindowDoNotPark) {
  RestartPolicy policy({.max_restarts = 10, .window = absl::Seconds(60)});
  // One quick death every 7 s: at most 9 of them ever fall inside one 60 s window.
  absl::Time now = kT0;
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(policy.OnExit(kQuick, now += absl::Seconds(7), kServed).park) << "death " << i;
  }
}

TEST(RestartPolicyTest, OrdinaryCrashesNeverPark) {
  RestartPolicy policy({.max_restarts = 3});
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(policy.OnExit(absl::Seconds(2), kT0 + absl::Seconds(i), kServed).park);
  }
}

TEST(RestartPolicyTest, FatalParksImmediately) {
  RestartPolicy policy({});
  const RestartDecision d = policy.OnExit(absl::Hours(5), kT0, Death::kFatal);
  EXPECT_TRUE(d.park);
  EXPECT_EQ(d.delay, absl::ZeroDuration());
  RestartPolicy quick({});
  EXPECT_TRUE(quick.OnExit(kQuick, kT0, Death::kFatal).park);
}

TEST(RestartPolicyTest, NeverListeningIsACrashLoopWhateverItsUptime) {
  // A ready-timeout kill comes after --ready_timeout (5 s), past min_uptime and even past
  // stable_after: it must still back off and, repeated, park the slot.
  RestartPolicy policy({.max_restarts = 3});
  absl::Time now = kT0;
  const RestartDecision first = policy.OnExit(absl::Seconds(5), now, Death::kBeforeListening);
  EXPECT_TRUE(first.quick_death);
  EXPECT_FALSE(first.park);
  ExpectWithinJitter(first.delay, absl::Milliseconds(100));
  const RestartDecision second =
      policy.OnExit(absl::Seconds(40), now += absl::Seconds(6), Death::kBeforeListening);
  ExpectWithinJitter(second.delay, absl::Milliseconds(200));  // not reset by the long uptime
  EXPECT_TRUE(
      policy.OnExit(absl::Seconds(5), now += absl::Seconds(6), Death::kBeforeListening).park);
}

TEST(RestartPolicyTest, ResetForgetsCrashHistory) {
  RestartPolicy policy({.max_restarts = 5});
  absl::Time now = kT0;
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(policy.OnExit(kQuick, now += absl::Seconds(1), kServed).park);
  }
  policy.Reset();
  const RestartDecision d = policy.OnExit(kQuick, now += absl::Seconds(1), kServed);
  EXPECT_FALSE(d.park) << "history should be empty after Reset()";
  ExpectWithinJitter(d.delay, absl::Milliseconds(100));
}

std::vector<absl::Duration> Delays(uint64_t seed) {
  RestartPolicy policy(NoParking(), seed);
  std::vector<absl::Duration> out;
  for (int i = 0; i < 20; ++i) {
    out.push_back(policy.OnExit(kQuick, kT0 + absl::Seconds(i), kServed).delay);
  }
  return out;
}

TEST(RestartPolicyTest, DeterministicForASeed) {
  EXPECT_EQ(Delays(42), Delays(42));
  EXPECT_EQ(Delays(7), Delays(7));
  EXPECT_NE(Delays(42), Delays(7));
}

}  // namespace
}  // namespace ringleader
