// The lifecycle transition table: one switch per state, every event named, no default.
#include "fsm/lifecycle.h"

namespace ringleader {
namespace {

using S = WorkerState;
using E = WorkerEvent;
using A = Action;

constexpr Step Go(S next, Actions actions = {}) { return Step{true, next, actions}; }
constexpr Step Refuse() { return Step{}; }

Step FromForking(E event) {
  switch (event) {
    case E::kOnlineMessage: return Go(S::kOnline);
    case E::kDrainRequested:
      return Go(S::kDraining, {A::kDisarmReadyTimer, A::kRequestDrain, A::kArmDrainTimer});
    case E::kExited: return Go(S::kDead, {A::kDisarmReadyTimer, A::kRelease});
    case E::kReadyTimeout: return Go(S::kDraining, {A::kKill});
    case E::kForked:            // a live worker is never born again
    case E::kListeningMessage:  // the channel is ordered: online always comes first
    case E::kDrainTimeout:      // no drain timer runs before a drain request
    case E::kWatchdogTimeout:   // heartbeats start after online
      return Refuse();
  }
  return Refuse();
}

Step FromOnline(E event) {
  switch (event) {
    case E::kListeningMessage:
      return Go(S::kListening, {A::kDisarmReadyTimer, A::kAnnounceListening});
    case E::kDrainRequested:
      return Go(S::kDraining, {A::kDisarmReadyTimer, A::kRequestDrain, A::kArmDrainTimer});
    case E::kExited: return Go(S::kDead, {A::kDisarmReadyTimer, A::kRelease});
    case E::kReadyTimeout: return Go(S::kDraining, {A::kKill});
    case E::kWatchdogTimeout: return Go(S::kDraining, {A::kDisarmReadyTimer, A::kKill});
    case E::kForked:
    case E::kOnlineMessage:
    case E::kDrainTimeout:
      return Refuse();
  }
  return Refuse();
}

Step FromListening(E event) {
  switch (event) {
    case E::kDrainRequested: return Go(S::kDraining, {A::kRequestDrain, A::kArmDrainTimer});
    case E::kExited: return Go(S::kDead, {A::kRelease});
    case E::kWatchdogTimeout: return Go(S::kDraining, {A::kKill});
    case E::kForked:
    case E::kOnlineMessage:
    case E::kListeningMessage:
    case E::kReadyTimeout:  // disarmed on listening
    case E::kDrainTimeout:
      return Refuse();
  }
  return Refuse();
}

Step FromDraining(E event) {
  switch (event) {
    // A worker told to drain while starting may still report progress: harmless, no change.
    case E::kOnlineMessage:
    case E::kListeningMessage:
    // A second drain request is coalesced into the first.
    case E::kDrainRequested:
      return Go(S::kDraining);
    case E::kExited: return Go(S::kDead, {A::kDisarmDrainTimer, A::kRelease});
    // Escalation: it did not finish in time, or its loop hung while draining.
    case E::kDrainTimeout:
    case E::kWatchdogTimeout:
      return Go(S::kDraining, {A::kKill});
    case E::kForked:
    case E::kReadyTimeout:
      return Refuse();
  }
  return Refuse();
}

}  // namespace

Step ApplyEvent(WorkerState state, WorkerEvent event) noexcept {
  switch (state) {
    case S::kForking: return FromForking(event);
    case S::kOnline: return FromOnline(event);
    case S::kListening: return FromListening(event);
    case S::kDraining: return FromDraining(event);
    case S::kDead: return Refuse();  // nothing happens to the dead
  }
  return Refuse();
}

Step BirthStep() noexcept { return Go(S::kForking, {A::kArmReadyTimer}); }

bool IsNoOp(WorkerState from, const Step& step) noexcept {
  return step.legal && step.next == from && step.actions.size() == 0;
}

std::string_view StateName(WorkerState state) noexcept {
  switch (state) {
    case S::kForking: return "forking";
    case S::kOnline: return "online";
    case S::kListening: return "listening";
    case S::kDraining: return "draining";
    case S::kDead: return "dead";
  }
  return "?";
}

std::string_view EventName(WorkerEvent event) noexcept {
  switch (event) {
    case E::kForked: return "forked";
    case E::kOnlineMessage: return "online_message";
    case E::kListeningMessage: return "listening_message";
    case E::kDrainRequested: return "drain_requested";
    case E::kExited: return "exited";
    case E::kReadyTimeout: return "ready_timeout";
    case E::kDrainTimeout: return "drain_timeout";
    case E::kWatchdogTimeout: return "watchdog_timeout";
  }
  return "?";
}

std::string_view ActionName(Action action) noexcept {
  switch (action) {
    case A::kArmReadyTimer: return "arm_ready_timer";
    case A::kDisarmReadyTimer: return "disarm_ready_timer";
    case A::kRequestDrain: return "request_drain";
    case A::kArmDrainTimer: return "arm_drain_timer";
    case A::kDisarmDrainTimer: return "disarm_drain_timer";
    case A::kKill: return "kill";
    case A::kAnnounceListening: return "announce_listening";
    case A::kRelease: return "release";
  }
  return "?";
}

std::optional<WorkerState> ParseState(std::string_view name) noexcept {
  for (int i = 0; i < kWorkerStateCount; ++i) {
    const auto s = static_cast<WorkerState>(i);
    if (StateName(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<WorkerEvent> ParseEvent(std::string_view name) noexcept {
  for (int i = 0; i < kWorkerEventCount; ++i) {
    const auto e = static_cast<WorkerEvent>(i);
    if (EventName(e) == name) return e;
  }
  return std::nullopt;
}

}  // namespace ringleader
