// Integration: with io_uring blocked by a seccomp filter (as in a container's default profile)
// or missing from the kernel, ringleader says so in one sentence and exits non-zero.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "absl/strings/str_split.h"
#include "tests/support/test_process.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct BlockedRun {
  int exit_code = -1;
  std::string stderr_text;
  std::vector<pid_t> children;
};

BlockedRun RunWithIoUringFailing(const std::string& error_name) {
  BlockedRun run;
  auto process = TestProcess::Start(BinaryPath("seccomp_exec"),
                                    {error_name, BinaryPath("ringleader"), "--workers=1",
                                     "--port=0", "--host=127.0.0.1"});
  if (!process.ok()) return run;
  const auto status = process->WaitExit(absl::Seconds(10));
  run.children = process->Children();
  run.stderr_text = process->Stderr();
  if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
  return run;
}

TEST(IoUringBlocked, SeccompEpermGivesOneClearSentence) {
  const BlockedRun run = RunWithIoUringFailing("EPERM");
  EXPECT_EQ(run.exit_code, 78) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("io_uring is blocked by a seccomp or security policy"));
  EXPECT_THAT(run.stderr_text, HasSubstr("allows io_uring_setup"));
  // It names the profile this repository ships (tools/deploy, deploy_run_test runs under it).
  EXPECT_THAT(run.stderr_text, HasSubstr("tools/deploy/seccomp-io_uring.json"));
  EXPECT_THAT(run.stderr_text, Not(HasSubstr("Operation not permitted")));  // no bare errno
  const std::vector<std::string> lines = absl::StrSplit(run.stderr_text, '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 1u) << run.stderr_text;
  EXPECT_TRUE(run.children.empty()) << "no worker may start";
}

TEST(IoUringBlocked, MissingSyscallNamesTheKernel) {
  const BlockedRun run = RunWithIoUringFailing("ENOSYS");
  EXPECT_EQ(run.exit_code, 78) << run.stderr_text;
  EXPECT_THAT(run.stderr_text, HasSubstr("this kernel does not implement it"));
  EXPECT_THAT(run.stderr_text, HasSubstr("Linux 6.0 or newer"));
}

}  // namespace
}  // namespace ringleader::testing
