// Op: one io_uring operation as a pinned object. Its address is the SQE's user_data, so it can be
// neither copied nor moved, and it must outlive its final completion, cancellation included.
//
//   class WakeOp final : public Op {
//     void Prep(io_uring_sqe* sqe) noexcept override { io_uring_prep_nop(sqe); }
//     void OnComplete(int res, uint32_t flags) noexcept override { ... }
//   };
//   ring.Start(wake_op);     // later: ring.Cancel(wake_op); wait for OnComplete before freeing
//
// Ring clears in_flight() before calling OnComplete for a final completion (no IORING_CQE_F_MORE),
// so a handler may re-arm its own op, or release its owner, from inside OnComplete.
#pragma once

#include <liburing.h>

#include <cstdint>

namespace ringleader {

class Ring;

class Op {
 public:
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;
  Op(Op&&) = delete;
  Op& operator=(Op&&) = delete;

  // True from Start() until the final completion has been dispatched.
  bool in_flight() const noexcept { return in_flight_; }

 protected:
  Op() = default;
  // Destroying an op the kernel still references is a use-after-free: the destructor aborts.
  virtual ~Op();

  // Fills `sqe`; user_data is set by Ring afterwards.
  virtual void Prep(io_uring_sqe* sqe) noexcept = 0;
  // `res` is the CQE result (negative errno on failure); `flags` the CQE flags.
  virtual void OnComplete(int res, uint32_t flags) noexcept = 0;

 private:
  friend class Ring;
  bool in_flight_ = false;
};

}  // namespace ringleader
