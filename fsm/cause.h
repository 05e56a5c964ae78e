// Typed causes: why a worker was born, why it was asked to drain, and what the primary plans
// after it exits. The primary builds them (fsm/slot.h), the trace stores them as text, and
// ringleader-trace reads them back through the parsers here: one formatter, one parser, so the
// text is written in exactly one place and never matched as a literal anywhere else.
//
//   Trace(..., FormatBirthCause({.kind = BirthKind::kReplace, .pid = 42, .status = "SIGKILL"}));
//                                                   // "replace pid 42 (SIGKILL)"
//   std::string cause = FormatExitCause("code 1", plan);   // "code 1; restart in 92 ms"
//   ExitCause parsed = ParseExitCause(cause);  // {status "code 1", plan_text, plan (typed)}
//   if (parsed.plan && parsed.plan->Restarts()) ...
//
// Text that is not ours (an older trace, a hand-edited one) parses to nullopt, never an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringleader {

// Why a worker was forked (the `cause` of its birth record).
enum class BirthKind : uint8_t {
  kStart,                // "start": the primary's first workers
  kReplace,              // "replace pid N (STATUS)": its predecessor exited, restart at once
  kRestartAfterBackoff,  // "restart after backoff": a crash-loop delay (or a failed fork) ran out
  kRollingRestart,       // "rolling restart"
  kScaleUp,              // "scale up"
};
inline constexpr int kBirthKindCount = 5;

struct BirthCause {
  BirthKind kind = BirthKind::kStart;
  int pid = 0;         // kReplace: the predecessor
  std::string status;  // kReplace: its exit status, as ExitStatus::Describe() says it

  bool operator==(const BirthCause&) const = default;
};

std::string FormatBirthCause(const BirthCause& cause);
std::optional<BirthCause> ParseBirthCause(std::string_view text);

// Why the primary asked a worker to drain (the `cause` of its drain_requested record).
enum class DrainKind : uint8_t {
  kReplacedBy,  // "rolling restart: replaced by pid N": its replacement listens
  kScaleDown,   // "scale down"
  kShutdown,    // "shutdown (WHY)": WHY names the signal or the reason
  kChannelCorrupt,  // "IPC framing corrupt": its channel is unusable, so it is replaced
};
inline constexpr int kDrainKindCount = 4;

struct DrainCause {
  DrainKind kind = DrainKind::kScaleDown;
  int pid = 0;       // kReplacedBy: the new worker
  std::string why;   // kShutdown

  bool operator==(const DrainCause&) const = default;
};

std::string FormatDrainCause(const DrainCause& cause);
std::optional<DrainCause> ParseDrainCause(std::string_view text);

// What follows a worker's exit, decided when it exits (the part after "; " in its exit record).
enum class ExitNext : uint8_t {
  kNothing,               // an old generation, or the primary is stopping: no plan is written
  kSlotScaledDown,        // "slot scaled down"
  kReplacementStarting,   // "its replacement is already starting"
  kOldWorkerStays,        // "rolling restart stopped, old worker stays"
  kParkedFatal,           // "slot parked (fatal exit code)"
  kParkedCrashLoop,       // "slot parked (crash loop)"
  kRestartIn,             // "restart in N ms"
  kRestartNow,            // "restart now"
};
inline constexpr int kExitNextCount = 8;

struct ExitPlan {
  ExitNext next = ExitNext::kNothing;
  // A rollout's new worker died: "rolling restart stopped" precedes the slot's own plan.
  bool rollout_stopped = false;
  int64_t delay_ms = 0;  // kRestartIn

  bool operator==(const ExitPlan&) const = default;
  // The slot's own plan is a restart (now or after a delay), not one reported with a stopped
  // rollout: ringleader-trace counts only these as replacements and crash-loop steps.
  bool Restarts() const {
    return !rollout_stopped && (next == ExitNext::kRestartNow || next == ExitNext::kRestartIn);
  }
  bool Backoff() const { return !rollout_stopped && next == ExitNext::kRestartIn; }
  bool Parked() const {
    return !rollout_stopped && (next == ExitNext::kParkedFatal || next == ExitNext::kParkedCrashLoop);
  }
};

// "STATUS" alone for kNothing, else "STATUS; PLAN".
std::string FormatExitCause(std::string_view status, const ExitPlan& plan);
// The plan alone, without the leading "; " ("" for kNothing).
std::string FormatExitPlan(const ExitPlan& plan);
// "parked (fatal exit code)" → "fatal exit code"; "" when the plan parks nothing.
std::string_view ParkReason(const ExitPlan& plan);
// "92 ms" for a backoff.
std::string BackoffText(const ExitPlan& plan);

// An exit record's cause split at its first "; ": the status, the plan's text, and the plan
// typed when the text is one FormatExitPlan writes.
struct ExitCause {
  std::string status;
  std::string plan_text;
  std::optional<ExitPlan> plan;
};
ExitCause ParseExitCause(std::string_view cause);

}  // namespace ringleader
