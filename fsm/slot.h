// One worker slot's supervision as a pure machine: (slot state, input) → (next state, actions).
// No processes, no clocks, no io_uring: fsm/fleet.h feeds it inputs (classified by which of the
// slot's workers they concern) and the primary carries the actions out.
//
//   vacant ─start─▶ serving ─rollout─▶ replacing ─incoming listening─▶ serving (old drains)
//   serving ─current exited─▶ serving (restart now) | backoff ─respawn timer─▶ serving | parked
//   replacing ─current exited─▶ replacement-only ─incoming listening─▶ serving
//   parked ─rollout─▶ reviving ─incoming listening─▶ serving   (a failed fork: parked again)
//   any live ─scale down─▶ retiring ─last exit─▶ retired ─scale up─▶ serving
//   any ─shutdown─▶ stopping ─last exit─▶ stopped
//
//   SlotMachine slot(0, policy_options, seed);
//   SlotStep s = slot.Apply(SlotInput::kCurrentExited, &exit);
//   if (!s.legal) Count();                 // refused, state unchanged
//   for (const SlotAction& a : s.actions) Carry(a);
//   Trace(FormatExitCause(exit.status, s.plan));
//
// The crash-loop decision (fsm/restart_policy.h) is taken here, when the slot is left without
// a worker. Workers are named by generation, which the slot assigns at each spawn: the respawn
// timer is armed exactly while the slot is in `backoff`, so it can never be armed twice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "fsm/cause.h"
#include "fsm/restart_policy.h"

namespace ringleader {

enum class SlotState : uint8_t {
  kVacant,           // created, nothing started yet
  kServing,          // one worker (the current one), starting or listening
  kReplacing,        // a rollout's incoming worker starts beside the current one
  kReplacementOnly,  // an incoming worker starts and no current one is left
  kBackoff,          // no worker; the respawn timer is armed
  kParked,           // no worker; crash loop or fatal exit: nothing restarts it but an operator
  kReviving,         // a rollout's incoming worker starts in a parked slot
  kRetiring,         // scaled down; its workers drain
  kRetired,          // scaled down and empty: scale-up may reuse it
  kStopping,         // the primary stops; its workers drain
  kStopped,          // the primary stops and this slot is empty
};
inline constexpr int kSlotStateCount = 11;

enum class SlotInput : uint8_t {
  kStart,                // the primary starts its first workers
  kScaleUp,              // this slot is (re)used to add a worker
  kRolloutSpawn,         // the rollout reached this slot: start a replacement
  kCurrentListening,     // the current worker reached listening
  kIncomingListening,    // the incoming worker reached listening
  kCurrentExited,        // the current worker was reaped
  kIncomingExited,       // the incoming worker was reaped before it listened
  kOldExited,            // a worker this slot no longer tracks (drained) was reaped
  kCurrentSpawnFailed,   // fork/socketpair failed for the current worker just asked for
  kIncomingSpawnFailed,  // fork/socketpair failed for the incoming worker just asked for
  kRespawnTimer,         // the respawn timer fired
  kScaleDown,            // this slot is given up
  kShutdown,             // the primary stops
};
inline constexpr int kSlotInputCount = 13;

// The facts of an exit that the crash-loop decision and the causes need.
struct WorkerExit {
  uint32_t generation = 0;
  int pid = 0;
  std::string status;          // ExitStatus::Describe(): "code 1", "SIGKILL"
  bool fatal = false;          // exited kExitFatal (fsm/worker_exit.h)
  bool ever_listened = false;  // it served at some point
  absl::Duration uptime;       // monotonic
  absl::Time now;              // monotonic
};

enum class SlotActionKind : uint8_t {
  kSpawnCurrent,        // fork a worker that serves for the slot (generation, birth)
  kSpawnIncoming,       // fork a rollout's replacement (generation, birth)
  kDrain,               // ask worker `generation` to drain (drain cause)
  kArmRespawn,          // arm the respawn timer for `delay`
  kCancelRespawn,       // cancel the respawn timer
  kReportExited,        // "Worker PID exited (STATUS)"
  kReportRestart,       // "Worker PID died (STATUS). Restarting..." (restart now)
  kReportBackoff,       // "... Restarting in N ms..."
  kReportParked,        // "... Slot N parked; not restarting."
  kRolloutSlotDone,     // the incoming worker listens: the rollout may move on
  kRolloutSlotSkipped,  // the incoming worker of a retired slot exited: move on, quietly
  kRolloutSlotFailed,   // the incoming worker died before listening: the rollout stops
  kRolloutSpawnFailed,  // the incoming worker could not be forked: the rollout stops
  kSlotParked,          // the fleet checks whether any slot can still serve
};
inline constexpr int kSlotActionKindCount = 14;

struct SlotAction {
  SlotActionKind kind = SlotActionKind::kReportExited;
  uint32_t generation = 0;  // kSpawn*, kDrain
  int pid = 0;              // the worker concerned (reports)
  std::string status;       // its exit status (reports)
  absl::Duration delay;     // kArmRespawn, kReportBackoff
  BirthCause birth;         // kSpawn*
  DrainCause drain;         // kDrain

  bool operator==(const SlotAction&) const = default;
};

struct SlotStep {
  bool legal = false;
  SlotState next = SlotState::kVacant;  // the state it was in when refused
  ExitPlan plan;                        // for exits: what the exit record says follows
  std::vector<SlotAction> actions;      // in the order they must be carried out
};

// After a failed fork, the slot waits this long and tries again rather than stay empty.
inline constexpr absl::Duration kSpawnRetryDelay = absl::Seconds(1);

class SlotMachine {
 public:
  SlotMachine(int index, RestartPolicyOptions policy, uint64_t jitter_seed)
      : index_(index), policy_(policy, jitter_seed) {}

  // The transition table. `exit` is required for the three exit inputs and ignored otherwise;
  // `listener_pid` is the listening worker's pid for kIncomingListening. Refused inputs leave
  // everything unchanged and are counted.
  SlotStep Apply(SlotInput input, const WorkerExit* exit = nullptr, int listener_pid = 0) noexcept;

  int index() const noexcept { return index_; }
  SlotState state() const noexcept { return state_; }
  uint32_t current() const noexcept { return current_; }    // 0: none
  uint32_t incoming() const noexcept { return incoming_; }  // 0: none
  uint32_t generation() const noexcept { return generation_; }
  uint64_t refused() const noexcept { return refused_; }
  bool retired() const noexcept {
    return state_ == SlotState::kRetiring || state_ == SlotState::kRetired;
  }
  // The input an exit or a listening of worker `generation` is for this slot.
  SlotInput ExitInput(uint32_t generation) const noexcept;
  std::optional<SlotInput> ListeningInput(uint32_t generation) const noexcept;

 private:
  struct Builder;
  SlotStep FromVacant(SlotInput input, Builder& b) noexcept;
  SlotStep FromServing(SlotInput input, Builder& b) noexcept;
  SlotStep FromReplacing(SlotInput input, Builder& b) noexcept;
  SlotStep FromReplacementOnly(SlotInput input, Builder& b) noexcept;
  SlotStep FromBackoff(SlotInput input, Builder& b) noexcept;
  SlotStep FromParked(SlotInput input, Builder& b) noexcept;
  SlotStep FromReviving(SlotInput input, Builder& b) noexcept;
  SlotStep FromRetiring(SlotInput input, Builder& b) noexcept;
  SlotStep FromRetired(SlotInput input, Builder& b) noexcept;
  SlotStep FromStopping(SlotInput input, Builder& b) noexcept;
  SlotStep FromStopped(SlotInput input, Builder& b) noexcept;

  int index_;
  SlotState state_ = SlotState::kVacant;
  uint32_t generation_ = 0;
  uint32_t current_ = 0;
  uint32_t incoming_ = 0;
  RestartPolicy policy_;
  uint64_t refused_ = 0;
};

std::string_view SlotStateName(SlotState state) noexcept;
std::string_view SlotInputName(SlotInput input) noexcept;
std::string_view SlotActionName(SlotActionKind kind) noexcept;

}  // namespace ringleader
