// ProbeIoUring: checks at start-up that this process may use io_uring, and says why not in one
// sentence an operator can act on (kernel too old, disabled by sysctl, blocked by seccomp).
//
//   if (absl::Status s = ProbeIoUring(); !s.ok()) {
//     std::cerr << "ringleader: " << s.message() << "\n";
//     return 78;
//   }
#pragma once

#include "absl/status/status.h"

namespace ringleader {

// OK when a ring can be created and the kernel has the operations ringleader relies on
// (multishot accept and receive, provided buffer rings: Linux 6.0+). Otherwise
// FailedPrecondition with a one-sentence message that names the cause and the fix.
absl::Status ProbeIoUring();

// Builds the sentence for a failed io_uring_setup with `error_number`, given the value of
// /proc/sys/kernel/io_uring_disabled (-1 when the file is absent). Exposed for unit tests.
absl::Status ExplainSetupFailure(int error_number, int io_uring_disabled);

}  // namespace ringleader
