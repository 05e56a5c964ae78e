// Batched waiting under load: one io_uring_enter that submits what is queued and waits for a
// batch of completions, but no longer than a bound once at least one has come (Linux 6.12's
// min-wait, IORING_FEAT_MIN_TIMEOUT). liburing 2.3 has no io_uring_submit_and_wait_min_timeout,
// so this makes the call itself.
//
//   if (BatchWaitSupported(features)) res = SubmitAndWaitBatch(&ring, 32, 500);
#pragma once

#include <liburing.h>

namespace ringleader {

// `features` is io_uring_params::features as the kernel filled it at setup.
bool BatchWaitSupported(unsigned features) noexcept;

// Submits every queued entry, then waits until `wait_nr` completions are ready or
// `min_wait_usec` has passed, whichever comes first (with no overall timeout the kernel ends the
// wait at `min_wait_usec` even if nothing came; the caller simply waits again). Returns what
// io_uring_enter returns (entries submitted, or a negative errno; -ETIME is returned as 0).
int SubmitAndWaitBatch(io_uring* ring, unsigned wait_nr, unsigned min_wait_usec) noexcept;

}  // namespace ringleader
