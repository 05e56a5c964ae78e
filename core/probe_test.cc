// Unit tests for core/probe.h: the io_uring availability probe and its one-sentence explanations.
#include "core/probe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <liburing.h>

#include <cerrno>
#include <string>

namespace ringleader {
namespace {

using testing::HasSubstr;

// A sentence an operator reads on one line: non-empty, no newline, ends with a full stop.
void ExpectOneSentence(const absl::Status& status) {
  const std::string message(status.message());
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  ASSERT_FALSE(message.empty());
  EXPECT_EQ(message.back(), '.') << message;
  EXPECT_EQ(message.find(". "), std::string::npos) << "more than one sentence: " << message;
}

TEST(ProbeIoUringTest, SucceedsOnThisMachine) {
  io_uring ring{};
  const int res = io_uring_queue_init(2, &ring, 0);
  if (res < 0) GTEST_SKIP() << "io_uring unavailable here (errno " << -res << ")";
  io_uring_queue_exit(&ring);
  const absl::Status status = ProbeIoUring();
  EXPECT_TRUE(status.ok()) << status;
}

TEST(ExplainSetupFailureTest, EnosysNamesTheKernel) {
  const absl::Status s = ExplainSetupFailure(ENOSYS, -1);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("kernel"));
  ExpectOneSentence(s);
}

TEST(ExplainSetupFailureTest, EpermWithSysctlTwoNamesTheSysctl) {
  for (int error : {EPERM, EACCES}) {
    const absl::Status s = ExplainSetupFailure(error, 2);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(s.message()), HasSubstr("io_uring_disabled=2"));
    EXPECT_THAT(std::string(s.message()), testing::Not(HasSubstr("seccomp")));
    ExpectOneSentence(s);
  }
}

TEST(ExplainSetupFailureTest, EpermWithSysctlOneNamesTheGroup) {
  const absl::Status s = ExplainSetupFailure(EPERM, 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("io_uring_group"));
  EXPECT_THAT(std::string(s.message()), testing::Not(HasSubstr("seccomp")));
  ExpectOneSentence(s);
}

TEST(ExplainSetupFailureTest, EpermWithSysctlZeroOrAbsentBlamesSeccomp) {
  for (int sysctl : {0, -1}) {
    SCOPED_TRACE(sysctl);
    const absl::Status s = ExplainSetupFailure(EPERM, sysctl);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(s.message()), HasSubstr("seccomp"));
    EXPECT_THAT(std::string(s.message()), testing::Not(HasSubstr("io_uring_disabled")));
    ExpectOneSentence(s);
  }
}

TEST(ExplainSetupFailureTest, EnomemNamesTheMemlockLimit) {
  const absl::Status s = ExplainSetupFailure(ENOMEM, 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("memlock"));
  ExpectOneSentence(s);
}

TEST(ExplainSetupFailureTest, OtherErrorsQuoteStrerror) {
  const absl::Status s = ExplainSetupFailure(EINVAL, 0);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("Invalid argument"));
  ExpectOneSentence(s);
}

TEST(ExplainSetupFailureTest, DistinctCausesGiveDistinctSentences) {
  const std::string enosys(ExplainSetupFailure(ENOSYS, 0).message());
  const std::string disabled(ExplainSetupFailure(EPERM, 2).message());
  const std::string group(ExplainSetupFailure(EPERM, 1).message());
  const std::string seccomp(ExplainSetupFailure(EPERM, 0).message());
  EXPECT_NE(enosys, disabled);
  EXPECT_NE(disabled, group);
  EXPECT_NE(group, seccomp);
  EXPECT_NE(seccomp, enosys);
}

}  // namespace
}  // namespace ringleader
