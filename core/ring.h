// Ring: the io_uring event loop every ringleader process runs, primary and workers alike.
//
//   RL_ASSIGN_OR_RETURN(auto ring, Ring::Create());
//   ring->Start(accept_op);          // ops are pinned objects; user_data is the op's address
//   RL_RETURN_IF_ERROR(ring->Run()); // until a handler calls ring->Stop()
//
// One loop, one fixed order: submit-and-wait (EINTR retried) → take a batch of completions →
// dispatch each to its op → advance the completion queue once per batch. The ring holds no
// business logic; everything happens in Op::OnComplete.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "core/op.h"

namespace ringleader {

struct RingOptions {
  unsigned entries = 256;
};

class Ring {
 public:
  static absl::StatusOr<std::unique_ptr<Ring>> Create(RingOptions options = {});
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Queues `op` (it must not be in flight). Submission happens on the next loop turn, or at
  // once when the submission queue is full.
  void Start(Op& op) noexcept;
  // Asks the kernel to cancel every in-flight request of `op`. The op still receives its final
  // completion (usually -ECANCELED) and must stay alive until then. No-op when not in flight.
  void Cancel(Op& op) noexcept;

  // Runs the loop until Stop(). Returns an error only when io_uring_enter itself fails.
  absl::Status Run();
  // Makes Run() return after the current batch of completions.
  void Stop() noexcept { stop_requested_ = true; }

  // Runs `work` after the current batch of completions has been dispatched. Owners use it to
  // free an object from inside one of its own completion handlers.
  void Defer(absl::AnyInvocable<void() &&> work) { deferred_.push_back(std::move(work)); }

  // Ops started and not yet finally completed; tests use it to prove nothing leaks.
  int ops_in_flight() const noexcept { return ops_in_flight_; }
  // The IORING_SETUP_* flags the kernel accepted.
  unsigned setup_flags() const noexcept { return setup_flags_; }
  io_uring* raw() noexcept { return &ring_; }

 private:
  Ring() = default;
  io_uring_sqe* NextSqe() noexcept;
  void Dispatch(io_uring_cqe* cqe) noexcept;
  void RunDeferred() noexcept;

  io_uring ring_{};
  unsigned setup_flags_ = 0;
  int ops_in_flight_ = 0;
  bool stop_requested_ = false;
  std::vector<absl::AnyInvocable<void() &&>> deferred_;
};

}  // namespace ringleader
