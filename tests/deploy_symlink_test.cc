// Integration: a deploy through a symlink. Each worker is started from the path the operator
// invoked, resolved at that spawn — so flipping `current` to a new build and sending SIGUSR2
// runs the new build — and when that path is gone the rolling restart stops with a message
// naming it while the old workers keep serving. Which build a worker runs is read from
// /proc/PID/exe (two copies of the same binary, told apart by their file names).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <filesystem>

#include "absl/strings/match.h"
#include "tests/support/http_client.h"
#include "tests/support/test_process.h"

namespace ringleader::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

// A temp directory with release-a and release-b (copies of ringleader) and current -> release-a.
class Deploy {
 public:
  Deploy() {
    char tmpl[] = "/tmp/ringleader-deploy-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    for (const char* name : {"release-a", "release-b"}) {
      fs::copy_file(BinaryPath("ringleader"), dir_ / name);
    }
    fs::create_symlink("release-a", current());
  }
  ~Deploy() { fs::remove_all(dir_); }

  fs::path current() const { return dir_ / "current"; }
  fs::path release(const char* name) const { return dir_ / name; }
  // Points `current` at `name` the way deploy tools do: a new link renamed over the old one.
  void Flip(const char* name) const {
    fs::create_symlink(name, dir_ / "current.new");
    fs::rename(dir_ / "current.new", current());
  }

 private:
  fs::path dir_;
};

std::string ExeOf(pid_t pid) {
  char target[PATH_MAX];
  const ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), target,
                               sizeof target - 1);
  return n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
}

std::vector<std::string> WorkerExes(const TestProcess& primary) {
  std::vector<std::string> out;
  for (pid_t p : primary.Children()) out.push_back(ExeOf(p));
  return out;
}

absl::StatusOr<TestProcess> StartThrough(const fs::path& path) {
  auto process = TestProcess::Start(path, {"--workers=2", "--port=0", "--host=127.0.0.1",
                                           "--rollout_stagger=10ms"});
  if (!process.ok()) return process;
  if (!process->WaitForLog("is listening", absl::Seconds(15), 2)) {
    return absl::DeadlineExceededError("workers did not start:\n" + process->Stderr());
  }
  return process;
}

TEST(DeploySymlink, RollingRestartRunsTheBuildTheSymlinkNowNames) {
  const Deploy deploy;
  auto server = StartThrough(deploy.current());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_THAT(WorkerExes(*server), Each(deploy.release("release-a").string()));

  deploy.Flip("release-b");
  server->Signal(SIGUSR2);
  ASSERT_TRUE(server->WaitForLog("Rolling restart complete", absl::Seconds(15)))
      << server->Stderr();
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] {
    const std::vector<std::string> exes = WorkerExes(*server);
    return exes.size() == 2 && exes[0] == deploy.release("release-b").string() &&
           exes[1] == deploy.release("release-b").string();
  })) << ::testing::PrintToString(WorkerExes(*server));
  auto port = server->WaitForPort(absl::Seconds(1));
  ASSERT_TRUE(port.ok());
  auto reply = HttpGet(*port, "/health");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
}

TEST(DeploySymlink, RolloutStopsWithAClearMessageWhenTheProgramIsGone) {
  const Deploy deploy;
  auto server = StartThrough(deploy.current());
  ASSERT_TRUE(server.ok()) << server.status();
  const std::vector<pid_t> before = server->Children();

  fs::remove(deploy.release("release-a"));  // `current` now dangles
  server->Signal(SIGUSR2);
  ASSERT_TRUE(server->WaitForLog("Rolling restart stopped", absl::Seconds(5))) << server->Stderr();
  const std::string log = server->Stderr();
  EXPECT_THAT(log, HasSubstr("cannot start a worker: " + deploy.current().string() +
                             ": No such file or directory\n"));
  EXPECT_THAT(log, HasSubstr("the old workers stay in service"));
  EXPECT_THAT(server->Children(), UnorderedElementsAreArray(before));
  auto port = server->WaitForPort(absl::Seconds(1));
  ASSERT_TRUE(port.ok());
  for (int i = 0; i < 4; ++i) {
    auto reply = HttpGet(*port, "/health");
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 200);
  }
}

}  // namespace
}  // namespace ringleader::testing
