// Worker exit codes are protocol between a worker and its primary (as in nginx): they say
// whether starting again can help. SetupFailureExitCode picks one for a failed set-up. Pure.
//
//   if (absl::Status s = SetUp(); !s.ok()) return SetupFailureExitCode(s);
//   ...
//   if (code == kExitFatal) Park(slot);   // the primary's side (fsm/restart_policy.h)
//
// Only a configuration error is fatal: the same program with the same flags would fail again.
// A shortage (ENOMEM from io_uring or its buffer ring after an OOM kill, EMFILE, EAGAIN) may
// pass, so the worker exits with kExitRetryable and is restarted with backoff like a crash.
#pragma once

#include "absl/status/status.h"
#include "core/exit_codes.h"  // kExitFatal, kExitRetryable

namespace ringleader {

// kExitFatal for a configuration error (invalid argument, out of range, permission denied,
// unimplemented: EINVAL, ERANGE, EPERM/EACCES, ENOSYS), kExitRetryable for anything else.
int SetupFailureExitCode(const absl::Status& failure);

}  // namespace ringleader
