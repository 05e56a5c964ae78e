// Ring setup (best flags first, with fallbacks) and the submit / drain / dispatch / advance loop.
#include "core/ring.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "core/batch_wait.h"
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

// Attempts to make room in a full submission queue before Start gives up. Each attempt first
// moves ready completions aside, so only a kernel that refuses work exhausts them.
constexpr int kSubmitAttempts = 4;
// Completions taken from the kernel per peek.
constexpr unsigned kBatch = 64;

}  // namespace

absl::StatusOr<std::unique_ptr<Ring>> Ring::Create(RingOptions options) {
  std::unique_ptr<Ring> ring(new Ring());
  int res = -EINVAL;
  for (unsigned flags : kSetupFlagChoices) {
    io_uring_params params{};
    params.flags = flags | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CLAMP | IORING_SETUP_CQSIZE;
    params.cq_entries = options.entries * options.completion_factor;
    res = io_uring_queue_init_params(options.entries, &ring->ring_, &params);
    if (res == 0) {
      ring->setup_flags_ = params.flags;
      ring->skip_cancel_success_ = (params.features & IORING_FEAT_CQE_SKIP) != 0;
      if (BatchWaitSupported(params.features)) {
        ring->batch_wait_usec_ = static_cast<unsigned>(
            std::clamp<int64_t>(absl::ToInt64Microseconds(options.batch_wait), 0, 1'000'000));
      }
      ring->busy_turn_ = std::max(options.busy_turn, 2u);
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
  for (int attempt = 0;; ++attempt) {
    if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
    if (attempt == kSubmitAttempts) break;
    SubmitToMakeRoom();
  }
  if (failure_.ok()) {
    failure_ = absl::ResourceExhaustedError(
        "io_uring: the submission queue stayed full; the kernel took no entries");
  }
  return nullptr;
}

void Ring::SubmitToMakeRoom() noexcept {
  // Full: hand the queued entries to the kernel now. If it takes none (-EBUSY, -EAGAIN: it
  // wants its completions read first), copy the ready ones aside for the next turn.
  if (submit_(&ring_) > 0) return;
  SetAside batch[kBatch];
  while (const unsigned count = TakeCompletions(batch, kBatch)) {
    set_aside_.insert(set_aside_.end(), batch, batch + count);
  }
}

unsigned Ring::TakeCompletions(SetAside* out, unsigned max) noexcept {
  // Copied out and the queue advanced before anything is dispatched: a handler that starts ops
  // on a full ring may take completions itself, and must not see these twice.
  io_uring_cqe* cqes[kBatch];
  const unsigned count = io_uring_peek_batch_cqe(&ring_, cqes, std::min(max, kBatch));
  for (unsigned i = 0; i < count; ++i) {
    out[i] = {io_uring_cqe_get_data(cqes[i]), cqes[i]->res, cqes[i]->flags};
  }
  io_uring_cq_advance(&ring_, count);
  completions_seen_ += count;
  return count;
}

void Ring::Start(Op& op) noexcept {
  if (op.in_flight_) std::abort();  // double start would alias two requests on one op
  io_uring_sqe* sqe = NextSqe();
  if (sqe == nullptr) return;  // failure_ is set: Run stops at its next turn
  op.Prep(sqe);
  io_uring_sqe_set_data(sqe, &op);
  op.in_flight_ = true;
  ++ops_in_flight_;
}

void Ring::Cancel(Op& op) noexcept {
  if (!op.in_flight_) return;
  io_uring_sqe* sqe = NextSqe();
  if (sqe == nullptr) return;
  io_uring_prep_cancel(sqe, &op, IORING_ASYNC_CANCEL_ALL);
  // The cancel request's own completion carries no op: user_data null means "ignore". A
  // successful cancel need not post one at all (mass cancels would double the completions).
  io_uring_sqe_set_data(sqe, nullptr);
  if (skip_cancel_success_) io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
}

void Ring::CloseInBackground(UniqueFd fd) noexcept {
  if (!fd) return;
  io_uring_sqe* sqe = NextSqe();
  if (sqe == nullptr) return;  // `fd` closes on return
  io_uring_prep_close(sqe, fd.release());
  io_uring_sqe_set_data(sqe, nullptr);  // nobody waits for it
  if (skip_cancel_success_) io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
}

void Ring::Dispatch(void* user_data, int res, uint32_t flags) noexcept {
  auto* op = static_cast<Op*>(user_data);
  if (op == nullptr) return;
  ++completions_dispatched_;
  if ((flags & IORING_CQE_F_MORE) == 0) {
    op->in_flight_ = false;
    --ops_in_flight_;
  }
  op->OnComplete(res, flags);
}

void Ring::DispatchSetAside() noexcept {
  // Completions set aside are older than any still in the kernel's queue, including those a
  // handler sets aside meanwhile: all of them go first, in order.
  while (!set_aside_.empty()) {
    std::vector<SetAside> batch;
    batch.swap(set_aside_);
    for (const SetAside& c : batch) Dispatch(c.user_data, c.res, c.flags);
  }
}

void Ring::DrainCompletions() noexcept {
  SetAside batch[kBatch];
  while (true) {
    DispatchSetAside();
    const unsigned count = TakeCompletions(batch, kBatch);
    for (unsigned i = 0; i < count; ++i) Dispatch(batch[i].user_data, batch[i].res, batch[i].flags);
    if (count < kBatch && set_aside_.empty()) return;
  }
}

void Ring::RunDeferred() noexcept {
  // Deferred work may defer more; swap so this pass runs only what was queued before it. Both
  // vectors keep their capacity: a busy loop defers without allocating.
  while (!deferred_.empty()) {
    std::vector<absl::AnyInvocable<void() &&>> batch = std::move(spare_deferred_);
    batch.swap(deferred_);
    for (auto& work : batch) std::move(work)();
    batch.clear();
    spare_deferred_ = std::move(batch);
  }
}

int Ring::SubmitAndWait() noexcept {
  // Work already in hand (deferred, or completions set aside) must not wait for an unrelated
  // completion.
  if (!deferred_.empty() || !set_aside_.empty()) return io_uring_submit_and_wait(&ring_, 0);
  if (batch_wait_usec_ == 0 || last_turn_ < busy_turn_) return io_uring_submit_and_wait(&ring_, 1);
  // Busy: the last turn's completions come back as a batch (a closed-loop client answers every
  // response with a request), so wait for as many, within the bound.
  return SubmitAndWaitBatch(&ring_, std::min(last_turn_, kBatch * 4), batch_wait_usec_);
}

absl::Status Ring::Run() {
  stop_requested_ = false;
  while (!stop_requested_ && failure_.ok()) {
    const uint64_t dispatched_before = completions_dispatched_;
    int res = SubmitAndWait();
    // A full completion queue is not an error (the kernel keeps the overflow and the next
    // drain takes it). -EBADR is: the kernel had no memory for its overflow list and dropped
    // completions, so ops wait forever; the process stops and is replaced instead.
    if (res == -EBADR) {
      return absl::DataLossError("io_uring dropped completions (the kernel was out of memory)");
    }
    if (res < 0 && res != -EINTR && res != -EAGAIN && res != -EBUSY) {
      return ErrnoStatus(-res, "io_uring_submit_and_wait");
    }
    DrainCompletions();
    last_turn_ = static_cast<unsigned>(completions_dispatched_ - dispatched_before);
    RunDeferred();
  }
  // What the last handlers queued (a close in the background, a cancel) still reaches the
  // kernel: a descriptor handed to CloseInBackground must not stay open after the loop.
  if (failure_.ok()) submit_(&ring_);
  return failure_;
}

}  // namespace ringleader
