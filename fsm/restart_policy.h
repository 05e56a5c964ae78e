// RestartPolicy: when to fork a replacement for a worker that died. Pure: it is told the
// worker's uptime and the time, and answers with a delay, or "park the slot".
//
//   RestartPolicy policy({.min_uptime = absl::Seconds(1)});
//   RestartDecision d = policy.OnExit(uptime, now, Death::kAfterListening);
//   if (d.park) ReportParked(); else ScheduleSpawn(d.delay);
//
// A worker that lived at least min_uptime restarts at once. A quicker death is a crash loop:
// the delay starts at initial_backoff and doubles to max_backoff, with ±20% jitter so a fleet
// does not retry in lockstep; a stable run (stable_after) resets it. max_restarts quick deaths
// within `window` park the slot. A fatal exit (exit code kExitFatal) parks it at once. A worker
// that never reached listening (it crashed at start, or the ready timeout killed it) is a
// crash loop however long it took to fail: a ready timeout longer than min_uptime must not
// turn a broken deploy into a restart every few seconds for ever.
#pragma once

#include <cstdint>
#include <deque>

#include "absl/time/time.h"
#include "fsm/worker_exit.h"

namespace ringleader {

// How a worker's life ended, as far as restarting it is concerned.
enum class Death {
  kFatal,            // it exited kExitFatal: starting it again cannot work
  kBeforeListening,  // it never served: died at start, or killed by the ready timeout
  kAfterListening,   // it served, then died: uptime decides whether it was a crash loop
};

struct RestartPolicyOptions {
  absl::Duration min_uptime = absl::Seconds(1);
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(30);
  absl::Duration stable_after = absl::Seconds(30);
  int max_restarts = 10;
  absl::Duration window = absl::Seconds(60);
};

struct RestartDecision {
  bool park = false;
  absl::Duration delay = absl::ZeroDuration();
  bool quick_death = false;
};

class RestartPolicy {
 public:
  explicit RestartPolicy(RestartPolicyOptions options, uint64_t jitter_seed = 0x9e3779b97f4a7c15)
      : options_(options), rng_(jitter_seed | 1) {}

  // `now` and `uptime` are from a monotonic clock (core/clock.h); the policy itself is pure.
  RestartDecision OnExit(absl::Duration uptime, absl::Time now, Death death);
  // Forget the crash history (the slot was un-parked by an operator, or scaled away).
  void Reset();

 private:
  double NextJitter();  // in [0.8, 1.2]

  RestartPolicyOptions options_;
  absl::Duration backoff_ = absl::ZeroDuration();
  std::deque<absl::Time> quick_deaths_;
  uint64_t rng_;
};

}  // namespace ringleader
