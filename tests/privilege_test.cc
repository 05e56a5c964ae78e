// Integration (root only): with --user, the primary keeps root and binds a privileged port, and
// every worker — the built-in server's and an exec'd program's — runs as that user for good: all
// four uids and gids its, no capabilities, no_new_privs; it cannot write where the primary can;
// and a rolling restart brings up workers dropped the same way.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"
#include "tests/support/test_process.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kNobody = 65534;

// A free port below 1024: only root may bind it.
int FreePrivilegedPort() {
  for (int port = 1000; port > 100; --port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = LoopbackAddress(port);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (free) return port;
  }
  return 0;
}

// "Uid:" → "0 0 0 0" style fields of /proc/PID/status.
std::string StatusField(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) == 0) {
      std::string value = line.substr(name.size() + 1);
      std::replace(value.begin(), value.end(), '\t', ' ');
      return std::string(absl::StripAsciiWhitespace(value));
    }
  }
  return "";
}

void ExpectDroppedForGood(pid_t pid) {
  const std::string nobody = absl::StrCat(kNobody, " ", kNobody, " ", kNobody, " ", kNobody);
  EXPECT_EQ(StatusField(pid, "Uid"), nobody) << "pid " << pid;
  EXPECT_EQ(StatusField(pid, "Gid"), nobody) << "pid " << pid;
  EXPECT_EQ(StatusField(pid, "CapEff"), "0000000000000000") << "pid " << pid;
  EXPECT_EQ(StatusField(pid, "NoNewPrivs"), "1") << "pid " << pid;
}

class PrivilegeDrop : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "dropping privileges needs the test to run as root";
    // Workers re-execute the binary as nobody: run a copy nobody can reach.
    char dir[] = "/tmp/ringleader-privilege-XXXXXX";
    bin_dir_ = ::mkdtemp(dir);
    CopyWhereAnyoneCanRun(BinaryPath("ringleader"), bin_dir_);
    const char* old = std::getenv("RINGLEADER_BIN_DIR");
    old_bin_dir_ = old != nullptr ? old : ".";
    ::setenv("RINGLEADER_BIN_DIR", bin_dir_.c_str(), 1);
  }
  void TearDown() override {
    if (bin_dir_.empty()) return;
    ::setenv("RINGLEADER_BIN_DIR", old_bin_dir_.c_str(), 1);
    std::filesystem::remove_all(bin_dir_);
  }
  std::string bin_dir_;
  std::string old_bin_dir_;
};

TEST_F(PrivilegeDrop, WorkersRunAsTheUserOnAPrivilegedPortThroughARollingRestart) {
  const int port = FreePrivilegedPort();
  ASSERT_GT(port, 0);
  auto server = RingleaderServer::Start(
      {"--workers=2", "--user=nobody", absl::StrCat("--port=", port)});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(server->port(), port);
  EXPECT_EQ(StatusField(server->process().pid(), "Uid"), "0 0 0 0") << "the primary keeps root";
  for (pid_t worker : server->process().Children()) ExpectDroppedForGood(worker);
  EXPECT_EQ(HttpGet(port, "/")->status, 200);

  const auto before = server->process().Children();
  server->process().Signal(SIGUSR2);
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20)))
      << server->process().Stderr();
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] {
    auto now = server->process().Children();
    return now.size() == 2 && now != before;
  }));
  for (pid_t worker : server->process().Children()) ExpectDroppedForGood(worker);
  EXPECT_EQ(HttpGet(port, "/")->status, 200);
}

// An exec'd program runs as the user too: it cannot write in a directory only root may write
// to (the test, as root, can), and it says who it is.
TEST_F(PrivilegeDrop, AnExecdProgramCannotWriteWhereThePrimaryCan) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("ringleader-root-only-", ::getpid());
  std::filesystem::create_directory(dir);
  ::chmod(dir.c_str(), 0755);
  const std::string script = absl::StrCat("touch ", dir.string(), "/by-worker 2>/dev/null; ",
                                          "echo \"write=$? uid=$(id -u)\" >&2; exec sleep 60");
  auto server = RingleaderServer::Start({"exec", "-i", "1", "--user=nobody",
                                         "--ready=delay:50ms", "--", "/bin/sh", "-c", script});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(server->process().WaitForLog(absl::StrCat("uid=", kNobody), absl::Seconds(5)))
      << server->process().Stderr();
  EXPECT_THAT(server->process().Stderr(), HasSubstr(absl::StrCat("write=1 uid=", kNobody)));
  EXPECT_FALSE(std::filesystem::exists(dir / "by-worker"));
  std::ofstream(dir / "by-root") << "the primary's user can";
  EXPECT_TRUE(std::filesystem::exists(dir / "by-root"));
  for (pid_t worker : server->process().Children()) ExpectDroppedForGood(worker);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ringleader::testing
