// The min-wait io_uring_enter call that liburing 2.3 lacks.
#include "core/batch_wait.h"

#include <cerrno>
#include <csignal>

namespace ringleader {
namespace {

// From Linux 6.12's uapi header, newer than the one liburing 2.3 installs.
constexpr unsigned kFeatMinTimeout = 1U << 15;

// Hands the entries queued since the last submit to the kernel (what liburing's internal
// __io_uring_flush_sq does) and returns how many there are.
unsigned PublishQueued(io_uring* ring) noexcept {
  io_uring_sq* sq = &ring->sq;
  const unsigned tail = sq->sqe_tail;
  if (sq->sqe_head != tail) {
    sq->sqe_head = tail;
    io_uring_smp_store_release(sq->ktail, tail);
  }
  return tail - *sq->khead;
}

}  // namespace

bool BatchWaitSupported(unsigned features) noexcept {
  return (features & kFeatMinTimeout) != 0 && (features & IORING_FEAT_EXT_ARG) != 0;
}

int SubmitAndWaitBatch(io_uring* ring, unsigned wait_nr, unsigned min_wait_usec) noexcept {
  io_uring_getevents_arg arg{};
  arg.sigmask_sz = _NSIG / 8;
  arg.pad = min_wait_usec;  // min_wait_usec since Linux 6.12; `pad` in liburing 2.3's header
  const unsigned queued = PublishQueued(ring);
  const int res = io_uring_enter2(ring->ring_fd, queued, wait_nr,
                                  IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
                                  reinterpret_cast<sigset_t*>(&arg), sizeof arg);
  return res == -ETIME ? 0 : res;
}

}  // namespace ringleader
