// MonotonicNow: the one clock ringleader measures durations with.
//
//   const absl::Time deadline = MonotonicNow() + absl::Seconds(5);
//   if (MonotonicNow() >= deadline) ...
//
// Deadlines, heartbeats and uptimes read CLOCK_MONOTONIC so a wall-clock step (NTP, an operator's
// `date -s`) never expires them early or late. The value is an absl::Time on a private epoch so
// arithmetic reads like the rest of the code; it is never printed as a date or compared with
// absl::Now(). Wall-clock time is for the HTTP Date header and trace timestamps only.
#pragma once

#include <time.h>

#include "absl/time/time.h"

namespace ringleader {

inline absl::Time MonotonicNow() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return absl::UnixEpoch() + absl::DurationFromTimespec(now);
}

}  // namespace ringleader
