// Integration: ringleader run the way tools/deploy runs it. The service unit's own ExecStart line
// (its port and control path moved into the test's reach) is started under the container seccomp
// profile tools/deploy/seccomp-io_uring.json, loaded as a container runtime loads it
// (tests/support/seccomp_profile_exec.cc), with systemd's NOTIFY_SOCKET played by the test. It
// must start, serve, answer ringleader-ctl, roll under load without a failed request and stop on
// SIGTERM within the unit's TimeoutStopSec: the profile allows everything ringleader needs. The
// same profile without io_uring gives the one-sentence error that names the profile.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/support/fake_service_manager.h"
#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/test_process.h"
#include "tools/ringleader_trace/run_tool.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;
using trace_tool::ReadFileOrEmpty;
using trace_tool::RunTool;

std::string DeployFile(const std::string& name) {
  const char* dir = std::getenv("RINGLEADER_SOURCE_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/tools/deploy/" + name;
}

// LeakSanitizer stops the world with ptrace at exit, which no container profile allows (and the
// release build has no LeakSanitizer).
const std::vector<std::string> kUnderProfileEnv = {"ASAN_OPTIONS=detect_leaks=0"};

class DeployRun : public ::testing::Test {
 protected:
  void SetUp() override {
    launcher_ = BinaryPath("seccomp_profile_exec");
    if (::access(launcher_.c_str(), X_OK) != 0) {
      GTEST_SKIP() << "seccomp_profile_exec was not built (Debian package libseccomp-dev)";
    }
    char dir_template[] = "/tmp/ringleader-deploy-XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    // The unit's workers run as another user: they must reach the binary they re-execute.
    binary_ = CopyWhereAnyoneCanRun(BinaryPath("ringleader"), dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // The unit's ExecStart, runnable here: this build's binary, any free port on loopback, the
  // control socket in the test's directory, two workers. --user/--group name this machine's
  // `nobody` instead; only a non-root test drops them.
  std::vector<std::string> ServiceCommandLine() {
    const std::string unit = ReadFileOrEmpty(DeployFile("ringleader.service"));
    std::string exec_start;
    for (absl::string_view line : absl::StrSplit(unit, '\n')) {
      if (absl::ConsumePrefix(&line, "ExecStart=")) exec_start = std::string(line);
    }
    std::vector<std::string> argv;
    for (absl::string_view word : absl::StrSplit(exec_start, ' ', absl::SkipEmpty())) {
      if (word == "/usr/bin/ringleader") {
        argv.push_back(binary_);
      } else if (absl::StartsWith(word, "--port=")) {
        argv.insert(argv.end(), {"--port=0", "--host=127.0.0.1"});
      } else if (absl::StartsWith(word, "--control=")) {
        argv.push_back("--control=" + control_path());
      } else if (absl::StartsWith(word, "--workers=")) {
        argv.push_back("--workers=2");
      } else if (absl::StartsWith(word, "--user=")) {
        // The unit's user is made by sysusers.d on a real host; this machine has `nobody`.
        if (::geteuid() == 0) argv.emplace_back("--user=nobody");
      } else if (absl::StartsWith(word, "--group=")) {
        if (::geteuid() == 0) argv.emplace_back("--group=nogroup");
      } else {
        argv.emplace_back(word);
      }
    }
    return argv;
  }
  std::string control_path() const { return dir_ + "/ringleader.sock"; }

  std::string launcher_;
  std::string dir_;
  std::string binary_;
};

TEST_F(DeployRun, TheServiceStartsServesRollsAndStopsUnderTheSeccompProfile) {
  FakeServiceManager systemd;
  std::vector<std::string> args = {DeployFile("seccomp-io_uring.json")};
  const std::vector<std::string> command = ServiceCommandLine();
  ASSERT_GE(command.size(), 2u);
  args.insert(args.end(), command.begin(), command.end());
  std::vector<std::string> env = kUnderProfileEnv;
  env.push_back(systemd.env());
  auto primary = TestProcess::Start(launcher_, args, env);
  ASSERT_TRUE(primary.ok()) << primary.status();
  const auto port = primary->WaitForPort(absl::Seconds(15));
  ASSERT_TRUE(port.ok()) << primary->Stderr();
  EXPECT_THAT(systemd.Next(), HasSubstr("READY=1")) << primary->Stderr();
  auto health = HttpGet(*port, "/health");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);

  // ringleader-ctl, as `kubectl exec` runs it inside the container: under the same profile.
  const auto status =
      RunTool("/usr/bin/env", {kUnderProfileEnv[0], launcher_, DeployFile("seccomp-io_uring.json"),
                               BinaryPath("ringleader-ctl"), "--control=" + control_path(),
                               "status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("listening"));

  // `systemctl reload` (ExecReload: SIGUSR2) under load: nothing fails.
  LoadClient load({.port = *port, .connections = 8});
  load.Start();
  primary->Signal(SIGUSR2);
  EXPECT_THAT(systemd.Next(), HasSubstr("RELOADING=1"));
  EXPECT_THAT(systemd.Next(), HasSubstr("READY=1")) << primary->Stderr();
  EXPECT_THAT(primary->Stderr(), HasSubstr("Rolling restart complete"));
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  EXPECT_GT(result.requests, 0) << result.Describe();

  // `systemctl stop` (KillSignal=SIGTERM to the primary alone): a clean drain, well within
  // TimeoutStopSec.
  primary->Signal(SIGTERM);
  EXPECT_THAT(systemd.Next(), HasSubstr("STOPPING=1"));
  const auto exit_status = primary->WaitExit(absl::Seconds(45));
  ASSERT_TRUE(exit_status.has_value()) << primary->Stderr();
  EXPECT_TRUE(WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == 0)
      << *exit_status << "\n" << primary->Stderr();
  EXPECT_THAT(primary->Stderr(), ::testing::Not(HasSubstr("ERROR")));
}

// The launcher does enforce the profile: without the io_uring entry ringleader cannot start,
// and its message points at the profile that fixes it.
TEST_F(DeployRun, TheProfileWithoutIoUringGivesTheMessageThatNamesIt) {
  std::string profile = ReadFileOrEmpty(DeployFile("seccomp-io_uring.json"));
  profile = absl::StrReplaceAll(profile, {{"\"io_uring_enter\",", ""},
                                          {"\"io_uring_register\",", ""},
                                          {"\"io_uring_setup\"", "\"io_setup\""}});
  ASSERT_FALSE(absl::StrContains(profile, "io_uring_setup\""));
  const std::string path = dir_ + "/without-io_uring.json";
  std::ofstream(path) << profile;
  auto primary = TestProcess::Start(
      launcher_, {path, BinaryPath("ringleader"), "--workers=1", "--port=0", "--host=127.0.0.1"},
      kUnderProfileEnv);
  ASSERT_TRUE(primary.ok()) << primary.status();
  const auto exit_status = primary->WaitExit(absl::Seconds(10));
  ASSERT_TRUE(exit_status.has_value());
  EXPECT_TRUE(WIFEXITED(*exit_status) && WEXITSTATUS(*exit_status) == 78) << primary->Stderr();
  EXPECT_THAT(primary->Stderr(), HasSubstr("tools/deploy/seccomp-io_uring.json"));
}

}  // namespace
}  // namespace ringleader::testing
