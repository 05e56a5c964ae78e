// Ring setup (best flags first, with fallbacks) and the submit / drain / dispatch / advance loop.
#include "core/ring.h"

#include <cerrno>
#include <cstdlib>

#include "core/status.h"

namespace ringleader {

Op::~Op() {
  // The kernel would write a completion for freed memory: fail loudly instead.
  if (in_flight_) std::abort();
}

namespace {

// Tried in order; the first the kernel accepts wins. -EINVAL means "flag unknown here".
constexpr unsigned kSetupFlagChoices[] = {
    // One thread submits (true for every ringleader process) and completions run only when we
    // wait for them: fewer interrupts, better batching (Linux 6.1+).
    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
    // Cooperative task work: no IPI to interrupt the loop for each completion (Linux 5.19+).
    IORING_SETUP_COOP_TASKRUN,
    0,
};

}  // namespace

absl::StatusOr<std::unique_ptr<Ring>> Ring::Create(RingOptions options) {
  std::unique_ptr<Ring> ring(new Ring());
  int res = -EINVAL;
  for (unsigned flags : kSetupFlagChoices) {
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP;
    res = io_uring_queue_init_params(options.entries, &ring->ring_, &params);
    if (res == 0) {
      ring->setup_flags_ = params.flags;
      return ring;
    }
    if (res != -EINVAL) break;
  }
  return ErrnoStatus(-res, "io_uring_queue_init");
}

Ring::~Ring() {
  if (ring_.ring_fd >= 0) io_uring_queue_exit(&ring_);
}

io_uring_sqe* Ring::NextSqe() noexcept {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    // Full: hand the queued entries to the kernel now and take a fresh slot.
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

void Ring::Start(Op& op) noexcept {
  if (op.in_flight_) std::abort();  // double start would alias two requests on one op
  io_uring_sqe* sqe = NextSqe();
  op.Prep(sqe);
  io_uring_sqe_set_data(sqe, &op);
  op.in_flight_ = true;
  ++ops_in_flight_;
}

void Ring::Cancel(Op& op) noexcept {
  if (!op.in_flight_) return;
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_cancel(sqe, &op, IORING_ASYNC_CANCEL_ALL);
  // The cancel request's own completion carries no op: user_data null means "ignore".
  io_uring_sqe_set_data(sqe, nullptr);
}

void Ring::Dispatch(io_uring_cqe* cqe) noexcept {
  auto* op = static_cast<Op*>(io_uring_cqe_get_data(cqe));
  if (op == nullptr) return;
  const int res = cqe->res;
  const uint32_t flags = cqe->flags;
  if ((flags & IORING_CQE_F_MORE) == 0) {
    op->in_flight_ = false;
    --ops_in_flight_;
  }
  op->OnComplete(res, flags);
}

void Ring::RunDeferred() noexcept {
  // Deferred work may defer more; swap so this pass runs only what was queued before it.
  while (!deferred_.empty()) {
    std::vector<absl::AnyInvocable<void() &&>> batch;
    batch.swap(deferred_);
    for (auto& work : batch) std::move(work)();
  }
}

absl::Status Ring::Run() {
  stop_requested_ = false;
  constexpr unsigned kBatch = 64;
  io_uring_cqe* batch[kBatch];
  while (!stop_requested_) {
    // Deferred work queued outside the loop must not wait for an unrelated completion.
    int res = io_uring_submit_and_wait(&ring_, deferred_.empty() ? 1 : 0);
    if (res < 0 && res != -EINTR && res != -EAGAIN && res != -EBUSY) {
      return ErrnoStatus(-res, "io_uring_submit_and_wait");
    }
    unsigned count;
    while ((count = io_uring_peek_batch_cqe(&ring_, batch, kBatch)) > 0) {
      for (unsigned i = 0; i < count; ++i) Dispatch(batch[i]);
      io_uring_cq_advance(&ring_, count);
      if (count < kBatch) break;
    }
    RunDeferred();
  }
  return absl::OkStatus();
}

}  // namespace ringleader
