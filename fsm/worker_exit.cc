// Which set-up failures are worth a retry.
#include "fsm/worker_exit.h"

namespace ringleader {

int SetupFailureExitCode(const absl::Status& failure) {
  using C = absl::StatusCode;
  switch (failure.code()) {
    // What the operator configured (flags, options, the host's seccomp or sysctl policy): a
    // restart runs into the same wall.
    case C::kInvalidArgument:
    case C::kOutOfRange:
    case C::kPermissionDenied:
    case C::kUnauthenticated:
    case C::kUnimplemented:
      return kExitFatal;
    // Shortages and accidents (ENOMEM, EMFILE/ENFILE, EAGAIN, EBUSY, EINTR, EIO...): they pass.
    case C::kOk:  // not a failure; counted as retryable rather than claim a fatal config error
    case C::kCancelled:
    case C::kUnknown:
    case C::kDeadlineExceeded:
    case C::kNotFound:
    case C::kAlreadyExists:
    case C::kResourceExhausted:
    case C::kAborted:
    case C::kFailedPrecondition:  // EBUSY maps here
    case C::kInternal:
    case C::kUnavailable:
    case C::kDataLoss:
    case C::kDoNotUseReservedForFutureExpansionUseDefaultInSwitchInstead_:
      return kExitRetryable;
  }
  return kExitRetryable;
}

}  // namespace ringleader
