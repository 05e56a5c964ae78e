// Cause texts: each written by one formatter and read back by the parser beside it.
#include "fsm/cause.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {
namespace {

constexpr std::string_view kReplacePrefix = "replace pid ";
constexpr std::string_view kReplacedByPrefix = "rolling restart: replaced by pid ";
constexpr std::string_view kShutdownPrefix = "shutdown (";
constexpr std::string_view kRolloutStopped = "rolling restart stopped";
constexpr std::string_view kRestartInPrefix = "restart in ";
constexpr std::string_view kMs = " ms";

// A whole number, and nothing else.
std::optional<int64_t> Number(std::string_view text) {
  int64_t n = 0;
  if (text.empty() || !absl::SimpleAtoi(Absl(text), &n) || text.front() == '+' || text.front() == ' ') {
    return std::nullopt;
  }
  return n;
}

bool ConsumePrefix(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// The text of the plans that carry no data.
std::string_view FixedNextText(ExitNext next) {
  switch (next) {
    case ExitNext::kNothing: return "";
    case ExitNext::kSlotScaledDown: return "slot scaled down";
    case ExitNext::kReplacementStarting: return "its replacement is already starting";
    case ExitNext::kOldWorkerStays: return "old worker stays";
    case ExitNext::kParkedFatal: return "slot parked (fatal exit code)";
    case ExitNext::kParkedCrashLoop: return "slot parked (crash loop)";
    case ExitNext::kRestartIn: return "";  // carries its delay: see FormatNext
    case ExitNext::kRestartNow: return "restart now";
  }
  return "";
}

std::string FormatNext(const ExitPlan& plan) {
  if (plan.next == ExitNext::kRestartIn) {
    return absl::StrCat(Absl(kRestartInPrefix), plan.delay_ms, Absl(kMs));
  }
  return std::string(FixedNextText(plan.next));
}

std::optional<ExitPlan> ParseNext(std::string_view text, bool rollout_stopped) {
  ExitPlan plan{.rollout_stopped = rollout_stopped};
  if (ConsumePrefix(text, kRestartInPrefix) && text.ends_with(kMs)) {
    text.remove_suffix(kMs.size());
    if (std::optional<int64_t> ms = Number(text)) {
      plan.next = ExitNext::kRestartIn;
      plan.delay_ms = *ms;
      return plan;
    }
    return std::nullopt;
  }
  for (int i = 0; i < kExitNextCount; ++i) {
    const auto next = static_cast<ExitNext>(i);
    if (next == ExitNext::kRestartIn || FixedNextText(next) != text) continue;
    plan.next = next;
    return plan;
  }
  return std::nullopt;
}

}  // namespace

std::string FormatBirthCause(const BirthCause& cause) {
  switch (cause.kind) {
    case BirthKind::kStart: return "start";
    case BirthKind::kReplace:
      return absl::StrCat(Absl(kReplacePrefix), cause.pid, " (", cause.status, ")");
    case BirthKind::kRestartAfterBackoff: return "restart after backoff";
    case BirthKind::kRollingRestart: return "rolling restart";
    case BirthKind::kScaleUp: return "scale up";
  }
  return "?";
}

std::optional<BirthCause> ParseBirthCause(std::string_view text) {
  if (ConsumePrefix(text, kReplacePrefix)) {
    const size_t open = text.find(" (");
    if (open == std::string_view::npos || !text.ends_with(')')) return std::nullopt;
    const std::optional<int64_t> pid = Number(text.substr(0, open));
    if (!pid) return std::nullopt;
    const std::string_view status = text.substr(open + 2, text.size() - open - 3);
    return BirthCause{.kind = BirthKind::kReplace, .pid = static_cast<int>(*pid),
                      .status = std::string(status)};
  }
  for (int i = 0; i < kBirthKindCount; ++i) {
    const BirthCause cause{.kind = static_cast<BirthKind>(i)};
    if (cause.kind != BirthKind::kReplace && FormatBirthCause(cause) == text) return cause;
  }
  return std::nullopt;
}

std::string FormatDrainCause(const DrainCause& cause) {
  switch (cause.kind) {
    case DrainKind::kReplacedBy: return absl::StrCat(Absl(kReplacedByPrefix), cause.pid);
    case DrainKind::kScaleDown: return "scale down";
    case DrainKind::kShutdown: return absl::StrCat(Absl(kShutdownPrefix), cause.why, ")");
    case DrainKind::kChannelCorrupt: return "IPC framing corrupt";
  }
  return "?";
}

std::optional<DrainCause> ParseDrainCause(std::string_view text) {
  if (ConsumePrefix(text, kReplacedByPrefix)) {
    const std::optional<int64_t> pid = Number(text);
    if (!pid) return std::nullopt;
    return DrainCause{.kind = DrainKind::kReplacedBy, .pid = static_cast<int>(*pid)};
  }
  if (ConsumePrefix(text, kShutdownPrefix)) {
    if (!text.ends_with(')')) return std::nullopt;
    text.remove_suffix(1);
    return DrainCause{.kind = DrainKind::kShutdown, .why = std::string(text)};
  }
  for (const DrainKind kind : {DrainKind::kScaleDown, DrainKind::kChannelCorrupt}) {
    if (text == FormatDrainCause({.kind = kind})) return DrainCause{.kind = kind};
  }
  return std::nullopt;
}

std::string FormatExitPlan(const ExitPlan& plan) {
  const std::string next = FormatNext(plan);
  if (!plan.rollout_stopped) return next;
  if (plan.next == ExitNext::kNothing) return std::string(kRolloutStopped);
  // "rolling restart stopped, old worker stays" reads as one plan; the others as two.
  const std::string_view joint = plan.next == ExitNext::kOldWorkerStays ? ", " : "; ";
  return absl::StrCat(Absl(kRolloutStopped), Absl(joint), next);
}

std::string FormatExitCause(std::string_view status, const ExitPlan& plan) {
  const std::string text = FormatExitPlan(plan);
  if (text.empty()) return std::string(status);
  return absl::StrCat(Absl(status), "; ", text);
}

std::string_view ParkReason(const ExitPlan& plan) {
  switch (plan.next) {
    case ExitNext::kParkedFatal: return "fatal exit code";
    case ExitNext::kParkedCrashLoop: return "crash loop";
    case ExitNext::kNothing:
    case ExitNext::kSlotScaledDown:
    case ExitNext::kReplacementStarting:
    case ExitNext::kOldWorkerStays:
    case ExitNext::kRestartIn:
    case ExitNext::kRestartNow:
      return "";
  }
  return "";
}

std::string BackoffText(const ExitPlan& plan) { return absl::StrCat(plan.delay_ms, Absl(kMs)); }

ExitCause ParseExitCause(std::string_view cause) {
  const size_t semicolon = cause.find(';');
  if (semicolon == std::string_view::npos) {
    return {std::string(cause), "", ExitPlan{}};
  }
  std::string_view text = cause.substr(semicolon + 1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  ExitCause out{std::string(cause.substr(0, semicolon)), std::string(text), std::nullopt};
  if (!ConsumePrefix(text, kRolloutStopped)) {
    out.plan = ParseNext(text, false);
  } else if (text.empty()) {
    out.plan = ExitPlan{.rollout_stopped = true};
  } else if (ConsumePrefix(text, ", ")) {
    if (text == FixedNextText(ExitNext::kOldWorkerStays)) {
      out.plan = ExitPlan{.next = ExitNext::kOldWorkerStays, .rollout_stopped = true};
    }
  } else if (ConsumePrefix(text, "; ")) {
    out.plan = ParseNext(text, true);
  }
  return out;
}

}  // namespace ringleader
