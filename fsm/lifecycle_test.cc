// Unit tests for fsm/lifecycle.h: every (state, event) pair against an explicit table, and names.
#include "fsm/lifecycle.h"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace ringleader {
namespace {

using S = WorkerState;
using E = WorkerEvent;
using A = Action;

// One row of the expected transition table, written out by hand (never computed from the code
// under test).
struct Row {
  S state;
  E event;
  bool legal;
  S next;                  // ignored when !legal
  std::vector<A> actions;  // in the order they must be carried out
};

Row Refused(S state, E event) { return Row{state, event, false, S::kDead, {}}; }
Row Goes(S state, E event, S next, std::vector<A> actions = {}) {
  return Row{state, event, true, next, std::move(actions)};
}

std::vector<Row> ExpectedTable() {
  return {
      // forking: only online, a drain request, death, or the ready timer move it.
      Refused(S::kForking, E::kForked),
      Goes(S::kForking, E::kOnlineMessage, S::kOnline),
      Refused(S::kForking, E::kListeningMessage),
      Goes(S::kForking, E::kDrainRequested, S::kDraining,
           {A::kDisarmReadyTimer, A::kRequestDrain, A::kArmDrainTimer}),
      Goes(S::kForking, E::kExited, S::kDead, {A::kDisarmReadyTimer, A::kRelease}),
      Goes(S::kForking, E::kReadyTimeout, S::kDraining, {A::kKill}),
      Refused(S::kForking, E::kDrainTimeout),
      Refused(S::kForking, E::kWatchdogTimeout),
      // online
      Refused(S::kOnline, E::kForked),
      Refused(S::kOnline, E::kOnlineMessage),
      Goes(S::kOnline, E::kListeningMessage, S::kListening,
           {A::kDisarmReadyTimer, A::kAnnounceListening}),
      Goes(S::kOnline, E::kDrainRequested, S::kDraining,
           {A::kDisarmReadyTimer, A::kRequestDrain, A::kArmDrainTimer}),
      Goes(S::kOnline, E::kExited, S::kDead, {A::kDisarmReadyTimer, A::kRelease}),
      Goes(S::kOnline, E::kReadyTimeout, S::kDraining, {A::kKill}),
      Refused(S::kOnline, E::kDrainTimeout),
      Goes(S::kOnline, E::kWatchdogTimeout, S::kDraining, {A::kDisarmReadyTimer, A::kKill}),
      // listening: the ready timer is already disarmed.
      Refused(S::kListening, E::kForked),
      Refused(S::kListening, E::kOnlineMessage),
      Refused(S::kListening, E::kListeningMessage),
      Goes(S::kListening, E::kDrainRequested, S::kDraining,
           {A::kRequestDrain, A::kArmDrainTimer}),
      Goes(S::kListening, E::kExited, S::kDead, {A::kRelease}),
      Refused(S::kListening, E::kReadyTimeout),
      Refused(S::kListening, E::kDrainTimeout),
      Goes(S::kListening, E::kWatchdogTimeout, S::kDraining, {A::kKill}),
      // draining: late progress and repeated drains are harmless; timeouts escalate to a kill.
      Refused(S::kDraining, E::kForked),
      Goes(S::kDraining, E::kOnlineMessage, S::kDraining),
      Goes(S::kDraining, E::kListeningMessage, S::kDraining),
      Goes(S::kDraining, E::kDrainRequested, S::kDraining),
      Goes(S::kDraining, E::kExited, S::kDead, {A::kDisarmDrainTimer, A::kRelease}),
      Refused(S::kDraining, E::kReadyTimeout),
      Goes(S::kDraining, E::kDrainTimeout, S::kDraining, {A::kKill}),
      Goes(S::kDraining, E::kWatchdogTimeout, S::kDraining, {A::kKill}),
      // dead: nothing happens to the dead.
      Refused(S::kDead, E::kForked),
      Refused(S::kDead, E::kOnlineMessage),
      Refused(S::kDead, E::kListeningMessage),
      Refused(S::kDead, E::kDrainRequested),
      Refused(S::kDead, E::kExited),
      Refused(S::kDead, E::kReadyTimeout),
      Refused(S::kDead, E::kDrainTimeout),
      Refused(S::kDead, E::kWatchdogTimeout),
  };
}

// Spelled out here because they are an interface: trace files and the README use them.
const char* const kStateNames[] = {"forking", "online", "listening", "draining", "dead"};
const char* const kEventNames[] = {"forked",         "online_message", "listening_message",
                                   "drain_requested", "exited",        "ready_timeout",
                                   "drain_timeout",   "watchdog_timeout"};
const char* const kActionNames[] = {"arm_ready_timer", "disarm_ready_timer", "request_drain",
                                    "arm_drain_timer", "disarm_drain_timer", "kill",
                                    "announce_listening", "release"};
constexpr int kActionCount = 8;

std::string CamelCase(std::string_view snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(c - 'a' + 'A') : c);
    upper = false;
  }
  return out;
}

std::vector<std::string> Names(const std::vector<A>& actions) {
  std::vector<std::string> out;
  for (A a : actions) out.emplace_back(kActionNames[static_cast<int>(a)]);
  return out;
}
std::vector<std::string> Names(const Actions& actions) {
  std::vector<std::string> out;
  for (A a : actions) out.emplace_back(kActionNames[static_cast<int>(a)]);
  return out;
}

void PrintTo(const Row& row, std::ostream* os) {
  *os << kStateNames[static_cast<int>(row.state)] << " + "
      << kEventNames[static_cast<int>(row.event)];
}

class TransitionTest : public testing::TestWithParam<Row> {};

TEST_P(TransitionTest, MatchesTable) {
  const Row& row = GetParam();
  const Step step = ApplyEvent(row.state, row.event);
  ASSERT_EQ(step.legal, row.legal);
  if (!row.legal) {
    EXPECT_EQ(step.actions.size(), 0) << "a refused step must ask for nothing";
    return;
  }
  EXPECT_EQ(StateName(step.next), kStateNames[static_cast<int>(row.next)]);
  // Compared as names so a failure prints readable lists, order included.
  EXPECT_EQ(Names(step.actions), Names(row.actions));
  EXPECT_EQ(step.actions.size(), static_cast<int>(row.actions.size()));
}

INSTANTIATE_TEST_SUITE_P(AllPairs, TransitionTest, testing::ValuesIn(ExpectedTable()),
                         [](const testing::TestParamInfo<Row>& info) {
                           return CamelCase(kStateNames[static_cast<int>(info.param.state)]) +
                                  "_" +
                                  CamelCase(kEventNames[static_cast<int>(info.param.event)]);
                         });

TEST(LifecycleTableTest, ExpectedTableCoversEveryPairOnce) {
  std::set<std::pair<int, int>> seen;
  for (const Row& row : ExpectedTable()) {
    EXPECT_TRUE(seen.emplace(static_cast<int>(row.state), static_cast<int>(row.event)).second);
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kWorkerStateCount * kWorkerEventCount));
  EXPECT_EQ(seen.size(), 40u);
}

TEST(LifecycleTableTest, HappyPathReachesDead) {
  S state = BirthStep().next;
  for (E event : {E::kOnlineMessage, E::kListeningMessage, E::kDrainRequested, E::kExited}) {
    const Step step = ApplyEvent(state, event);
    ASSERT_TRUE(step.legal) << StateName(state) << " + " << EventName(event);
    state = step.next;
  }
  EXPECT_EQ(state, S::kDead);
}

TEST(LifecycleTableTest, ExitedFromEveryLiveStateReleases) {
  for (S s : {S::kForking, S::kOnline, S::kListening, S::kDraining}) {
    const Step step = ApplyEvent(s, E::kExited);
    EXPECT_TRUE(step.legal) << StateName(s);
    EXPECT_EQ(step.next, S::kDead) << StateName(s);
    EXPECT_TRUE(step.actions.Contains(A::kRelease)) << StateName(s);
  }
}

TEST(BirthStepTest, EntersForkingWithReadyTimerArmed) {
  const Step birth = BirthStep();
  EXPECT_TRUE(birth.legal);
  EXPECT_EQ(birth.next, S::kForking);
  EXPECT_EQ(Names(birth.actions), std::vector<std::string>{"arm_ready_timer"});
  EXPECT_TRUE(birth.actions.Contains(A::kArmReadyTimer));
  EXPECT_FALSE(birth.actions.Contains(A::kKill));
}

TEST(IsNoOpTest, OnlyLegalUnchangedActionlessStepsAreNoOps) {
  EXPECT_TRUE(IsNoOp(S::kDraining, ApplyEvent(S::kDraining, E::kOnlineMessage)));
  EXPECT_TRUE(IsNoOp(S::kDraining, ApplyEvent(S::kDraining, E::kListeningMessage)));
  EXPECT_TRUE(IsNoOp(S::kDraining, ApplyEvent(S::kDraining, E::kDrainRequested)));
  // Same state, but asks for a kill.
  EXPECT_FALSE(IsNoOp(S::kDraining, ApplyEvent(S::kDraining, E::kDrainTimeout)));
  // No actions, but the state changes.
  EXPECT_FALSE(IsNoOp(S::kForking, ApplyEvent(S::kForking, E::kOnlineMessage)));
  // Refused steps are never no-ops, even though they change nothing.
  EXPECT_FALSE(IsNoOp(S::kDead, ApplyEvent(S::kDead, E::kExited)));
  EXPECT_FALSE(IsNoOp(S::kDead, Step{}));
  EXPECT_FALSE(IsNoOp(S::kForking, BirthStep()));
}

TEST(IsNoOpTest, CountsNoOpsInTheWholeTable) {
  int no_ops = 0;
  for (const Row& row : ExpectedTable()) {
    if (IsNoOp(row.state, ApplyEvent(row.state, row.event))) ++no_ops;
  }
  EXPECT_EQ(no_ops, 3);  // the three coalesced events in draining
}

TEST(NamesTest, StateNamesRoundTrip) {
  for (int i = 0; i < kWorkerStateCount; ++i) {
    const auto s = static_cast<S>(i);
    EXPECT_EQ(StateName(s), kStateNames[i]);
    ASSERT_TRUE(ParseState(kStateNames[i]).has_value()) << kStateNames[i];
    EXPECT_EQ(*ParseState(StateName(s)), s);
  }
}

TEST(NamesTest, EventNamesRoundTrip) {
  for (int i = 0; i < kWorkerEventCount; ++i) {
    const auto e = static_cast<E>(i);
    EXPECT_EQ(EventName(e), kEventNames[i]);
    ASSERT_TRUE(ParseEvent(kEventNames[i]).has_value()) << kEventNames[i];
    EXPECT_EQ(*ParseEvent(EventName(e)), e);
  }
}

TEST(NamesTest, ActionNamesAreDistinct) {
  std::set<std::string_view> seen;
  for (int i = 0; i < kActionCount; ++i) {
    const auto a = static_cast<A>(i);
    EXPECT_EQ(ActionName(a), kActionNames[i]);
    EXPECT_TRUE(seen.insert(ActionName(a)).second);
  }
}

TEST(NamesTest, UnknownNamesAreRejected) {
  for (std::string_view bad : {"", "?", "Forking", "FORKING", "forking ", " online", "alive",
                               "listen", "exited", "dead\n"}) {
    EXPECT_FALSE(ParseState(bad).has_value()) << '"' << bad << '"';
  }
  for (std::string_view bad : {"", "?", "Forked", "online", "online-message", "exit",
                               "drain_requested ", "watchdog", "dead"}) {
    EXPECT_FALSE(ParseEvent(bad).has_value()) << '"' << bad << '"';
  }
}

}  // namespace
}  // namespace ringleader
