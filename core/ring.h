// Ring: the io_uring event loop every ringleader process runs, primary and workers alike.
//
//   RL_ASSIGN_OR_RETURN(auto ring, Ring::Create());
//   ring->Start(accept_op);          // ops are pinned objects; user_data is the op's address
//   RL_RETURN_IF_ERROR(ring->Run()); // until a handler calls ring->Stop()
//
// One loop, one fixed order: submit-and-wait (EINTR retried) → take a batch of completions →
// dispatch each to its op → advance the completion queue once per batch. The ring holds no
// business logic; everything happens in Op::OnComplete.
//
// Under pressure: the completion queue is several times the submission queue, cancels post a
// completion only when they fail, and when the submission queue is full and the kernel will not
// take entries, the ring copies ready completions aside (dispatched on the next turn) and
// retries a bounded number of times before Run() fails with a Status instead of spinning.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/op.h"
#include "core/unique_fd.h"

namespace ringleader {

struct RingOptions {
  unsigned entries = 256;
  // Completion-queue entries per submission-queue entry: a burst of completions (mass cancels,
  // a multishot flood) must not overflow into the kernel's slow backlog.
  unsigned completion_factor = 8;
  // Batching under load. After a turn that dispatched at least `busy_turn` completions, the
  // next wait asks for as many as that turn dispatched, but returns once `batch_wait` has
  // passed: a busy loop wakes once per batch instead of once per completion, and a quiet one
  // (the turn after a short one) wakes at once for each. Zero turns it off; so does a kernel
  // older than 6.12. Clamped to 1 s.
  absl::Duration batch_wait = absl::ZeroDuration();
  unsigned busy_turn = 8;
};

class Ring {
 public:
  static absl::StatusOr<std::unique_ptr<Ring>> Create(RingOptions options = {});
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Queues `op` (it must not be in flight). Submission happens on the next loop turn, or at
  // once when the submission queue is full. If the kernel takes nothing after a few attempts,
  // the op is not started and Run() returns ResourceExhausted at its next turn.
  void Start(Op& op) noexcept;
  // Asks the kernel to cancel every in-flight request of `op`. The op still receives its final
  // completion (usually -ECANCELED) and must stay alive until then. No-op when not in flight.
  void Cancel(Op& op) noexcept;
  // Closes `fd` from the ring at the next submit, with no completion to wait for (a socket's
  // close does not block): a loop closing many descriptors makes no syscall for each. Falls
  // back to close(2) when the submission queue has no room.
  void CloseInBackground(UniqueFd fd) noexcept;

  // Runs the loop until Stop(). Returns an error when io_uring_enter itself fails, the kernel
  // dropped completions, or the submission queue stayed full (see Start). On a normal return,
  // what the last handlers queued (closes, cancels) is handed to the kernel, best effort.
  absl::Status Run();
  // Makes Run() return after the current batch of completions.
  void Stop() noexcept { stop_requested_ = true; }

  // Runs `work` after the current batch of completions has been dispatched. Owners use it to
  // free an object from inside one of its own completion handlers.
  void Defer(absl::AnyInvocable<void() &&> work) { deferred_.push_back(std::move(work)); }

  // Ops started and not yet finally completed; tests use it to prove nothing leaks.
  int ops_in_flight() const noexcept { return ops_in_flight_; }
  // Completions taken from the kernel so far, ignored ones included; tests count with it.
  uint64_t completions_seen() const noexcept { return completions_seen_; }
  // Whether waits are batched under load (asked for, and the kernel can).
  bool batching() const noexcept { return batch_wait_usec_ > 0; }
  // The IORING_SETUP_* flags the kernel accepted.
  unsigned setup_flags() const noexcept { return setup_flags_; }
  io_uring* raw() noexcept { return &ring_; }

 private:
  Ring() = default;
  // A completion copied out of the kernel's queue to make room, dispatched on the next turn.
  struct SetAside {
    void* user_data;
    int res;
    uint32_t flags;
  };

  io_uring_sqe* NextSqe() noexcept;
  void SubmitToMakeRoom() noexcept;
  unsigned TakeCompletions(SetAside* out, unsigned max) noexcept;
  void Dispatch(void* user_data, int res, uint32_t flags) noexcept;
  void DispatchSetAside() noexcept;
  void DrainCompletions() noexcept;
  void RunDeferred() noexcept;
  int SubmitAndWait() noexcept;

  // How entries are handed to the kernel; tests replace it to play a kernel that refuses them.
  friend class RingTestPeer;
  int (*submit_)(io_uring*) = &io_uring_submit;

  io_uring ring_{};
  unsigned setup_flags_ = 0;
  bool skip_cancel_success_ = false;  // IOSQE_CQE_SKIP_SUCCESS is known to this kernel
  int ops_in_flight_ = 0;
  uint64_t completions_seen_ = 0;
  bool stop_requested_ = false;
  unsigned batch_wait_usec_ = 0;  // 0: every wait returns at the first completion
  unsigned busy_turn_ = 0;
  unsigned last_turn_ = 0;  // completions the previous turn dispatched to ops
  uint64_t completions_dispatched_ = 0;  // to ops: ignored ones (null user_data) not counted
  absl::Status failure_;  // the submission queue stayed full: Run returns it
  std::vector<SetAside> set_aside_;
  std::vector<absl::AnyInvocable<void() &&>> deferred_;
  std::vector<absl::AnyInvocable<void() &&>> spare_deferred_;  // empty, keeps its capacity
};

}  // namespace ringleader
