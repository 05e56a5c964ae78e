// Unit tests for fsm/cause.h: the exact texts (the trace format is an interface), round trips
// through the parsers, and foreign text parsed to nothing.
#include "fsm/cause.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringleader {
namespace {

TEST(CauseTest, BirthCausesHaveTheirTraceTexts) {
  const std::vector<std::pair<BirthCause, std::string>> rows = {
      {{.kind = BirthKind::kStart}, "start"},
      {{.kind = BirthKind::kReplace, .pid = 42, .status = "SIGKILL"}, "replace pid 42 (SIGKILL)"},
      {{.kind = BirthKind::kRestartAfterBackoff}, "restart after backoff"},
      {{.kind = BirthKind::kRollingRestart}, "rolling restart"},
      {{.kind = BirthKind::kScaleUp}, "scale up"},
  };
  ASSERT_EQ(rows.size(), static_cast<size_t>(kBirthKindCount));
  for (const auto& [cause, text] : rows) {
    EXPECT_EQ(FormatBirthCause(cause), text);
    EXPECT_EQ(ParseBirthCause(text), cause) << text;
  }
}

TEST(CauseTest, DrainCausesHaveTheirTraceTexts) {
  const std::vector<std::pair<DrainCause, std::string>> rows = {
      {{.kind = DrainKind::kReplacedBy, .pid = 7}, "rolling restart: replaced by pid 7"},
      {{.kind = DrainKind::kScaleDown}, "scale down"},
      {{.kind = DrainKind::kShutdown, .why = "SIGTERM"}, "shutdown (SIGTERM)"},
      {{.kind = DrainKind::kChannelCorrupt}, "IPC framing corrupt"},
  };
  ASSERT_EQ(rows.size(), static_cast<size_t>(kDrainKindCount));
  for (const auto& [cause, text] : rows) {
    EXPECT_EQ(FormatDrainCause(cause), text);
    EXPECT_EQ(ParseDrainCause(text), cause) << text;
  }
}

TEST(CauseTest, ExitPlansHaveTheirTraceTexts) {
  using N = ExitNext;
  const std::vector<std::pair<ExitPlan, std::string>> rows = {
      {{.next = N::kNothing}, "code 1"},
      {{.next = N::kSlotScaledDown}, "code 1; slot scaled down"},
      {{.next = N::kReplacementStarting}, "code 1; its replacement is already starting"},
      {{.next = N::kOldWorkerStays, .rollout_stopped = true},
       "code 1; rolling restart stopped, old worker stays"},
      {{.next = N::kParkedFatal}, "code 1; slot parked (fatal exit code)"},
      {{.next = N::kParkedCrashLoop}, "code 1; slot parked (crash loop)"},
      {{.next = N::kRestartIn, .delay_ms = 92}, "code 1; restart in 92 ms"},
      {{.next = N::kRestartNow}, "code 1; restart now"},
      {{.next = N::kRestartNow, .rollout_stopped = true},
       "code 1; rolling restart stopped; restart now"},
      {{.next = N::kParkedCrashLoop, .rollout_stopped = true},
       "code 1; rolling restart stopped; slot parked (crash loop)"},
  };
  for (const auto& [plan, text] : rows) {
    EXPECT_EQ(FormatExitCause("code 1", plan), text);
    const ExitCause parsed = ParseExitCause(text);
    EXPECT_EQ(parsed.status, "code 1");
    EXPECT_EQ(parsed.plan, plan) << text;
  }
}

TEST(CauseTest, PlanPredicatesIgnoreAPlanReportedWithAStoppedRollout) {
  EXPECT_TRUE((ExitPlan{.next = ExitNext::kRestartIn}).Backoff());
  EXPECT_TRUE((ExitPlan{.next = ExitNext::kRestartNow}).Restarts());
  EXPECT_FALSE((ExitPlan{.next = ExitNext::kRestartNow, .rollout_stopped = true}).Restarts());
  EXPECT_TRUE((ExitPlan{.next = ExitNext::kParkedFatal}).Parked());
  EXPECT_EQ(ParkReason({.next = ExitNext::kParkedFatal}), "fatal exit code");
  EXPECT_EQ(BackoffText({.next = ExitNext::kRestartIn, .delay_ms = 5}), "5 ms");
}

TEST(CauseTest, ForeignTextParsesToNothing) {
  EXPECT_EQ(ParseBirthCause("replace pid x (SIGKILL)"), std::nullopt);
  EXPECT_EQ(ParseBirthCause("born"), std::nullopt);
  EXPECT_EQ(ParseDrainCause("rolling restart: replaced by pid "), std::nullopt);
  EXPECT_EQ(ParseDrainCause("IPC framing"), std::nullopt);
  const ExitCause odd = ParseExitCause("SIGKILL; restart in soon");
  EXPECT_EQ(odd.status, "SIGKILL");
  EXPECT_EQ(odd.plan_text, "restart in soon");
  EXPECT_EQ(odd.plan, std::nullopt);
}

}  // namespace
}  // namespace ringleader
