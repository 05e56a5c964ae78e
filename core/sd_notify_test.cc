// Unit tests for core/sd_notify.h and core/unix_address.h: datagrams to a socket the test
// reads, socket activation from good and bad environments, the variables for children, and
// LISTEN_PID written after fork.
#include "core/sd_notify.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "core/unix_address.h"

namespace ringleader {
namespace {

// Sets (or unsets, with nullopt) one variable for a test's duration and restores it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A datagram socket the test reads itself, bound to an abstract name unique to this process.
struct Receiver {
  explicit Receiver(std::string_view tag) {
    name = absl::StrCat("@ringleader-sd-notify-test-", ::getpid(), "-", Absl(tag));
    fd.Reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    auto address = MakeUnixAddress(name);
    EXPECT_TRUE(address.ok());
    EXPECT_EQ(::bind(fd.get(), address->as_sockaddr(), address->length), 0);
  }
  std::string Take() {
    char buffer[8192];
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    return n < 0 ? std::string("<none>") : std::string(buffer, static_cast<size_t>(n));
  }
  std::string name;
  UniqueFd fd;
};

TEST(UnixAddressTest, PathCarriesItsNulAndAbstractDoesNot) {
  auto path = MakeUnixAddress("/run/x");
  ASSERT_TRUE(path.ok());
  EXPECT_FALSE(path->abstract);
  EXPECT_EQ(path->length, offsetof(sockaddr_un, sun_path) + 7);
  EXPECT_STREQ(path->address.sun_path, "/run/x");
  auto abstract = MakeUnixAddress("@x");
  ASSERT_TRUE(abstract.ok());
  EXPECT_TRUE(abstract->abstract);
  EXPECT_EQ(abstract->length, offsetof(sockaddr_un, sun_path) + 2);
  EXPECT_EQ(abstract->address.sun_path[0], '\0');
  EXPECT_EQ(abstract->address.sun_path[1], 'x');
}

TEST(UnixAddressTest, RefusesEmptyLongAndNul) {
  EXPECT_FALSE(MakeUnixAddress("").ok());
  EXPECT_FALSE(MakeUnixAddress("@").ok());
  EXPECT_FALSE(MakeUnixAddress(std::string_view("a\0b", 3)).ok());
  EXPECT_FALSE(MakeUnixAddress(std::string(108, 'a')).ok());
  EXPECT_TRUE(MakeUnixAddress(std::string(107, 'a')).ok());
  EXPECT_TRUE(MakeUnixAddress("@" + std::string(107, 'a')).ok());
}

TEST(SdNotifyTest, UnsetSocketIsANoOp) {
  ScopedEnv unset("NOTIFY_SOCKET", std::nullopt);
  EXPECT_TRUE(SdNotify("READY=1").ok());
  ScopedEnv empty("NOTIFY_SOCKET", "");
  EXPECT_TRUE(SdNotify("READY=1").ok());
}

TEST(SdNotifyTest, SendsOneDatagramToNotifySocket) {
  Receiver receiver("env");
  ScopedEnv env("NOTIFY_SOCKET", receiver.name);
  ASSERT_TRUE(SdNotify("READY=1\nSTATUS=up").ok());
  EXPECT_EQ(receiver.Take(), "READY=1\nSTATUS=up");
}

TEST(SdNotifyTest, SendsToAFilesystemPath) {
  const std::string path = absl::StrCat(::testing::TempDir(), "sd-notify-", ::getpid());
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  auto address = MakeUnixAddress(path);
  ASSERT_TRUE(address.ok());
  ::unlink(path.c_str());
  ASSERT_EQ(::bind(fd.get(), address->as_sockaddr(), address->length), 0);
  ASSERT_TRUE(SdNotify(path, "STOPPING=1").ok());
  char buffer[64];
  EXPECT_EQ(::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT), 10);
  ::unlink(path.c_str());
}

TEST(SdNotifyTest, ErrorsInsteadOfBlocking) {
  EXPECT_FALSE(SdNotify("@ringleader-no-such-socket", "READY=1").ok());
  EXPECT_FALSE(SdNotify("/nonexistent/notify", "READY=1").ok());
  EXPECT_FALSE(SdNotify("@x", "").ok());
  // Nobody reads: the queue fills and the sender is told, never parked.
  Receiver receiver("full");
  absl::Status last;
  int sent = 0;
  for (; sent < 100000 && (last = SdNotify(receiver.name, "WATCHDOG=1")).ok(); ++sent) {
  }
  EXPECT_LT(sent, 100000);
  EXPECT_EQ(last.code(), absl::StatusCode::kUnavailable) << last;
}

// Environment for one socket-activation case; restores the three variables afterwards.
struct ActivationEnv {
  ActivationEnv(std::optional<std::string> pid, std::optional<std::string> fds,
                std::optional<std::string> names)
      : pid_(kPid, std::move(pid)), fds_(kFds, std::move(fds)), names_(kNames, std::move(names)) {}
  static constexpr const char* kPid = "LISTEN_PID";
  static constexpr const char* kFds = "LISTEN_FDS";
  static constexpr const char* kNames = "LISTEN_FDNAMES";
  ScopedEnv pid_, fds_, names_;
};

bool AllUnset() {
  return std::getenv("LISTEN_PID") == nullptr && std::getenv("LISTEN_FDS") == nullptr &&
         std::getenv("LISTEN_FDNAMES") == nullptr;
}

std::string Self() { return std::to_string(::getpid()); }

// Places two sockets at descriptors 3 and 4, without close-on-exec, as systemd would.
void PlaceTwoSockets() {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  ASSERT_EQ(::dup2(pair[0], 3), 3);
  ASSERT_EQ(::dup2(pair[1], 4), 4);
  if (pair[0] != 3 && pair[0] != 4) ::close(pair[0]);
  if (pair[1] != 3 && pair[1] != 4) ::close(pair[1]);
}

TEST(ListenFdsTest, TakesNamedDescriptorsAndUnsetsTheVariables) {
  PlaceTwoSockets();
  ActivationEnv env(Self(), "2", "http:admin");
  auto fds = ListenFdsFromEnvironment();
  ASSERT_TRUE(fds.ok()) << fds.status();
  ASSERT_EQ(fds->size(), 2u);
  EXPECT_EQ((*fds)[0].fd.get(), 3);
  EXPECT_EQ((*fds)[0].name, "http");
  EXPECT_EQ((*fds)[1].fd.get(), 4);
  EXPECT_EQ((*fds)[1].name, "admin");
  for (const ListenFd& f : *fds) EXPECT_NE(::fcntl(f.fd.get(), F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_TRUE(AllUnset());
}

TEST(ListenFdsTest, NamesDefaultToUnknown) {
  PlaceTwoSockets();
  ActivationEnv env(Self(), "2", std::nullopt);
  auto fds = ListenFdsFromEnvironment();
  ASSERT_TRUE(fds.ok()) << fds.status();
  ASSERT_EQ(fds->size(), 2u);
  EXPECT_EQ((*fds)[1].name, "unknown");
}

TEST(ListenFdsTest, EmptyWhenNotForUs) {
  {
    ActivationEnv env(std::nullopt, std::nullopt, std::nullopt);
    auto fds = ListenFdsFromEnvironment();
    ASSERT_TRUE(fds.ok());
    EXPECT_TRUE(fds->empty());
  }
  {
    ActivationEnv env(std::to_string(::getpid() + 1), "1", "x");  // our parent's
    auto fds = ListenFdsFromEnvironment();
    ASSERT_TRUE(fds.ok());
    EXPECT_TRUE(fds->empty());
    EXPECT_TRUE(AllUnset());
  }
  {
    ActivationEnv env(std::nullopt, "1", std::nullopt);  // no LISTEN_PID
    auto fds = ListenFdsFromEnvironment();
    ASSERT_TRUE(fds.ok());
    EXPECT_TRUE(fds->empty());
  }
  {
    ActivationEnv env(Self(), "0", "");
    auto fds = ListenFdsFromEnvironment();
    ASSERT_TRUE(fds.ok());
    EXPECT_TRUE(fds->empty());
  }
}

TEST(ListenFdsTest, RefusesBadEnvironments) {
  struct Case {
    std::optional<std::string> pid, fds, names;
  };
  const std::vector<Case> cases = {
      {"abc", "1", std::nullopt},  {"-1", "1", std::nullopt},    {"0", "1", std::nullopt},
      {Self(), "x", std::nullopt}, {Self(), "-1", std::nullopt}, {Self(), " 1", std::nullopt},
      {Self(), "1x", std::nullopt}, {Self(), "99999999999", std::nullopt},
      {Self(), "1025", std::nullopt}, {Self(), "", std::nullopt}, {Self(), "1", "a:b"},
  };
  for (const Case& c : cases) {
    ActivationEnv env(c.pid, c.fds, c.names);
    auto fds = ListenFdsFromEnvironment();
    EXPECT_EQ(fds.status().code(), absl::StatusCode::kInvalidArgument)
        << c.pid.value_or("-") << " " << c.fds.value_or("-") << " " << c.names.value_or("-");
    EXPECT_TRUE(AllUnset());
  }
}

TEST(ListenFdsTest, RefusesADescriptorThatIsNotOpen) {
  ActivationEnv env(Self(), "1", std::nullopt);
  ::close(3);
  auto fds = ListenFdsFromEnvironment();
  EXPECT_FALSE(fds.ok());
  EXPECT_TRUE(AllUnset());
}

TEST(ListenFdsEnvironmentTest, CountAndNames) {
  const std::vector<std::string> names = {"http", "bad:name", ""};
  EXPECT_EQ(ListenFdsEnvironment(3, names),
            (std::vector<std::string>{"LISTEN_FDS=3", "LISTEN_FDNAMES=http:unknown:unknown"}));
  EXPECT_EQ(ListenFdsEnvironment(1, {}), (std::vector<std::string>{"LISTEN_FDS=1"}));
  const std::vector<std::string> short_list = {"a"};
  EXPECT_EQ(ListenFdsEnvironment(2, short_list),
            (std::vector<std::string>{"LISTEN_FDS=2", "LISTEN_FDNAMES=a:unknown"}));
}

TEST(ListenFdsEnvironmentTest, ZeroOrNegativeCountHasNoNames) {
  const std::vector<std::string> names = {"http"};
  EXPECT_EQ(ListenFdsEnvironment(0, names), (std::vector<std::string>{"LISTEN_FDS=0"}));
  EXPECT_EQ(ListenFdsEnvironment(-2, names), (std::vector<std::string>{"LISTEN_FDS=0"}));
}

// What the primary writes for a child is what a child (here: this process) reads back.
TEST(ListenFdsEnvironmentTest, RoundTripsThroughTheReader) {
  PlaceTwoSockets();
  const std::vector<std::string> names = {"web", "metrics"};
  std::vector<std::string> env = ListenFdsEnvironment(2, names);
  char listen_pid[kListenPidBufferSize];
  ASSERT_TRUE(FormatListenPid(listen_pid, sizeof listen_pid, ::getpid()));
  env.emplace_back(listen_pid);
  ActivationEnv restore(std::nullopt, std::nullopt, std::nullopt);
  for (const std::string& assignment : env) {
    const size_t equals = assignment.find('=');
    ::setenv(assignment.substr(0, equals).c_str(), assignment.substr(equals + 1).c_str(), 1);
  }
  auto fds = ListenFdsFromEnvironment();
  ASSERT_TRUE(fds.ok()) << fds.status();
  ASSERT_EQ(fds->size(), 2u);
  EXPECT_EQ((*fds)[0].name, "web");
  EXPECT_EQ((*fds)[1].name, "metrics");
}

TEST(FormatListenPidTest, WritesDigitsOrNothing) {
  char buffer[kListenPidBufferSize];
  ASSERT_TRUE(FormatListenPid(buffer, sizeof buffer, 1));
  EXPECT_STREQ(buffer, "LISTEN_PID=1");
  ASSERT_TRUE(FormatListenPid(buffer, sizeof buffer, 4194304));
  EXPECT_STREQ(buffer, "LISTEN_PID=4194304");
  ASSERT_TRUE(FormatListenPid(buffer, sizeof buffer, 2147483647));
  EXPECT_STREQ(buffer, "LISTEN_PID=2147483647");
  std::memset(buffer, 'z', sizeof buffer);
  EXPECT_FALSE(FormatListenPid(buffer, 12, 7));  // "LISTEN_PID=7" needs 13 with its NUL
  EXPECT_EQ(buffer[0], 'z');
  EXPECT_TRUE(FormatListenPid(buffer, 13, 7));
  EXPECT_FALSE(FormatListenPid(buffer, sizeof buffer, 0));
  EXPECT_FALSE(FormatListenPid(buffer, sizeof buffer, -5));
}

// The use it exists for: fill the child's LISTEN_PID between fork and exec; the exec'd shell
// checks it names itself.
TEST(FormatListenPidTest, BetweenForkAndExec) {
  char listen_pid[kListenPidBufferSize] = "LISTEN_PID=unset";
  char* const argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                        const_cast<char*>(R"(test "$LISTEN_PID" = "$$")"), nullptr};
  char* const envp[] = {listen_pid, nullptr};
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!FormatListenPid(listen_pid, sizeof listen_pid, ::getpid())) ::_exit(3);
    ::execve("/bin/sh", argv, envp);
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace ringleader
