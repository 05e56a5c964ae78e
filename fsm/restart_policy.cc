// Crash-loop control: exponential backoff with jitter, reset after stability, parking.
#include "fsm/restart_policy.h"

#include <algorithm>

namespace ringleader {

double RestartPolicy::NextJitter() {
  // xorshift64: deterministic for a given seed, so tests can pin the sequence.
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  return 0.8 + 0.4 * static_cast<double>(rng_ % 10001) / 10000.0;
}

RestartDecision RestartPolicy::OnExit(absl::Duration uptime, absl::Time now, Death death) {
  RestartDecision decision;
  switch (death) {
    case Death::kFatal:
      decision.park = true;
      return decision;
    case Death::kBeforeListening:
      break;  // a crash loop, whatever its uptime
    case Death::kAfterListening:
      if (uptime >= options_.stable_after) backoff_ = absl::ZeroDuration();
      if (uptime >= options_.min_uptime) return decision;  // an ordinary crash: replace at once
      break;
  }

  decision.quick_death = true;
  quick_deaths_.push_back(now);
  while (!quick_deaths_.empty() && now - quick_deaths_.front() > options_.window) {
    quick_deaths_.pop_front();
  }
  if (static_cast<int>(quick_deaths_.size()) >= options_.max_restarts) {
    decision.park = true;
    return decision;
  }
  backoff_ = backoff_ == absl::ZeroDuration() ? options_.initial_backoff
                                              : std::min(backoff_ * 2, options_.max_backoff);
  decision.delay = backoff_ * NextJitter();
  return decision;
}

void RestartPolicy::Reset() {
  backoff_ = absl::ZeroDuration();
  quick_deaths_.clear();
}

}  // namespace ringleader
