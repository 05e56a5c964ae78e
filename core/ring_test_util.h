// Helpers for tests that drive a Ring by hand: a no-op request, and running the ring for a while
// or until a condition holds, always bounded in time and always letting the helper's own timer
// complete (no op outlives the call).
//
//   RunRingFor(*ring, absl::Milliseconds(5));
//   ASSERT_TRUE(RunRingUntil(*ring, [&] { return received.size() == 3; }));
#pragma once

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/ops.h"
#include "core/ring.h"

namespace ringleader {

// A no-op request: completes as soon as it is submitted.
class NopOp final : public CallbackOp {
 public:
  using CallbackOp::CallbackOp;
  void Arm(Ring& ring) noexcept { ring.Start(*this); }

 private:
  void Prep(io_uring_sqe* sqe) noexcept override { io_uring_prep_nop(sqe); }
};

// Runs `ring` for `duration`, dispatching whatever completes meanwhile.
inline void RunRingFor(Ring& ring, absl::Duration duration) {
  TimeoutOp timer([&ring](int, uint32_t) noexcept { ring.Stop(); });
  timer.Arm(ring, duration);
  while (timer.in_flight()) {
    if (!ring.Run().ok()) return;
  }
}

// Runs `ring` in short slices until `done()` or `limit`; returns done().
inline bool RunRingUntil(Ring& ring, const std::function<bool()>& done,
                         absl::Duration limit = absl::Seconds(3)) {
  const absl::Time deadline = absl::Now() + limit;
  while (!done() && absl::Now() < deadline) RunRingFor(ring, absl::Milliseconds(2));
  return done();
}

}  // namespace ringleader
