// The worker lifecycle as a pure function: (state, event) → (next state, actions).
// No io_uring, no processes, no clocks: the primary feeds events in and carries actions out.
//
//   forking ──online──▶ online ──listening──▶ listening ──drain──▶ draining ──exited──▶ dead
//      └────────────── exited (from any live state) ──────────────────────────────────▶ dead
//
//   Step s = ApplyEvent(WorkerState::kOnline, WorkerEvent::kListeningMessage);
//   if (!s.legal) Report(...);              // illegal pairs are refused, never ignored
//   for (Action a : s.actions) Carry(a);    // e.g. kDisarmReadyTimer, kAnnounceListening
//
// A worker is born by BirthStep() in `forking` (its trace record has no `from`).
#pragma once

#include <array>
#include <initializer_list>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ringleader {

enum class WorkerState : uint8_t { kForking, kOnline, kListening, kDraining, kDead };
inline constexpr int kWorkerStateCount = 5;

enum class WorkerEvent : uint8_t {
  kForked,            // fork returned: only as the birth of a worker, never on a live one
  kOnlineMessage,     // the worker's loop runs
  kListeningMessage,  // the worker's accept is armed
  kDrainRequested,    // the primary wants it gone (rolling restart, scale-down, shutdown)
  kExited,            // reaped
  kReadyTimeout,      // did not reach listening in time
  kDrainTimeout,      // did not exit in time after a drain request
  kWatchdogTimeout,   // heartbeats stopped: its loop is hung
};
inline constexpr int kWorkerEventCount = 8;

enum class Action : uint8_t {
  kArmReadyTimer,
  kDisarmReadyTimer,
  kRequestDrain,  // tell the worker to stop accepting, finish, exit
  kArmDrainTimer,
  kDisarmDrainTimer,
  kKill,               // SIGKILL
  kAnnounceListening,  // the worker serves: rollouts may proceed
  kRelease,            // the process is gone: free its slot's resources
};

// A short, fixed list of actions, in the order they must be carried out.
class Actions {
 public:
  constexpr Actions() = default;
  constexpr Actions(std::initializer_list<Action> list) {
    for (Action a : list) items_[size_++] = a;
  }
  constexpr const Action* begin() const { return items_.data(); }
  constexpr const Action* end() const { return items_.data() + size_; }
  constexpr int size() const { return size_; }
  constexpr bool Contains(Action a) const {
    for (Action x : *this) {
      if (x == a) return true;
    }
    return false;
  }

 private:
  std::array<Action, 4> items_{};
  uint8_t size_ = 0;
};

struct Step {
  bool legal = false;
  WorkerState next = WorkerState::kDead;  // meaningful only when legal
  Actions actions;
};

// The transition table. Pure, total over every (state, event) pair.
Step ApplyEvent(WorkerState state, WorkerEvent event) noexcept;

// The first step of every worker: into `forking`, with the ready timer armed.
Step BirthStep() noexcept;

// True when a legal step changes nothing and asks for nothing (not worth a trace record).
bool IsNoOp(WorkerState from, const Step& step) noexcept;

std::string_view StateName(WorkerState state) noexcept;
std::string_view EventName(WorkerEvent event) noexcept;
std::string_view ActionName(Action action) noexcept;
std::optional<WorkerState> ParseState(std::string_view name) noexcept;
std::optional<WorkerEvent> ParseEvent(std::string_view name) noexcept;

}  // namespace ringleader
