// Unit tests for fsm/worker_exit.h: which set-up failures park a slot and which are retried.
#include "fsm/worker_exit.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace ringleader {
namespace {

TEST(SetupFailureExitCode, ConfigurationErrorsAreFatal) {
  EXPECT_EQ(SetupFailureExitCode(absl::InvalidArgumentError("buffer ring size")), kExitFatal);
  EXPECT_EQ(SetupFailureExitCode(absl::ErrnoToStatus(EINVAL, "bind")), kExitFatal);
  EXPECT_EQ(SetupFailureExitCode(absl::ErrnoToStatus(EPERM, "io_uring_setup")), kExitFatal);
  EXPECT_EQ(SetupFailureExitCode(absl::ErrnoToStatus(ENOSYS, "io_uring_setup")), kExitFatal);
}

TEST(SetupFailureExitCode, ResourceErrorsAreRetried) {
  // The kernel's answers after an OOM kill or under descriptor pressure.
  for (int e : {ENOMEM, EMFILE, ENFILE, EAGAIN, EBUSY, EINTR, ENOBUFS}) {
    EXPECT_EQ(SetupFailureExitCode(absl::ErrnoToStatus(e, "io_uring_queue_init")), kExitRetryable)
        << "errno " << e;
  }
  EXPECT_EQ(SetupFailureExitCode(absl::ResourceExhaustedError("buffer ring")), kExitRetryable);
  EXPECT_EQ(SetupFailureExitCode(absl::InternalError("?")), kExitRetryable);
}

TEST(SetupFailureExitCode, TheTwoCodesDiffer) {
  EXPECT_NE(kExitFatal, kExitRetryable);
  EXPECT_NE(kExitRetryable, 0);
  EXPECT_NE(kExitRetryable, 1);  // 1 is an ordinary crash at start (--debug_fail_generation)
}

}  // namespace
}  // namespace ringleader
