// The `ringleader exec` test programs started by hand, the way a supervisor would: the
// listening socket dup2'd to fd 3 with LISTEN_FDS/LISTEN_PID set in the child, and a datagram
// socket of the test's own as NOTIFY_SOCKET. Proves the programs keep the promises their
// banners make before any supervisor test relies on them.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/test_process.h"

namespace {

using ringleader::testing::BinaryPath;

constexpr int kWaitMs = 5000;

// A started program; SIGKILLed and reaped at the end of the test whatever happened.
struct Child {
  pid_t pid = -1;
  bool reaped = false;
  ~Child() {
    if (pid > 0 && !reaped) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  // The wait(2) status within kWaitMs, or nullopt.
  std::optional<int> WaitExit() {
    for (int waited = 0; waited < kWaitMs; waited += 10) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        reaped = true;
        return status;
      }
      ::usleep(10'000);
    }
    return std::nullopt;
  }
};

// Starts `program` with `listen_fd` as fd 3 and the systemd variables; `env` adds more.
void Spawn(Child& child, const std::string& program, int listen_fd,
           std::vector<std::string> env, std::vector<std::string> args = {}) {
  env.push_back("LISTEN_FDS=1");
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  char listen_pid[32] = "LISTEN_PID=";
  envp.push_back(listen_pid);
  envp.push_back(nullptr);
  std::string path = program;
  std::vector<char*> argv{path.data()};
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  child.pid = ::fork();
  ASSERT_GE(child.pid, 0);
  if (child.pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    char* end = listen_pid + std::strlen(listen_pid);
    *std::to_chars(end, listen_pid + sizeof listen_pid - 1, ::getpid()).ptr = '\0';
    // dup2 onto itself keeps FD_CLOEXEC: a listener that already is fd 3 needs it cleared.
    if (listen_fd == 3 && ::fcntl(3, F_SETFD, 0) < 0) ::_exit(126);
    if (listen_fd >= 0 && listen_fd != 3 && ::dup2(listen_fd, 3) < 0) ::_exit(126);
    ::execve(path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
}

// A loopback listener on an ephemeral port; returns {fd, port}.
std::pair<int, int> Listen() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::listen(fd, 64), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return {fd, ntohs(address.sin_port)};
}

// The test's side of sd_notify: an abstract datagram socket with a unique name.
struct NotifySocket {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  std::string name = "@ringleader-programs-test-" + std::to_string(::getpid()) + "-" +
                     std::to_string(reinterpret_cast<uintptr_t>(this));
  NotifySocket() {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path + 1, name.data() + 1, name.size() - 1);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address),
                     static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size())),
              0);
  }
  ~NotifySocket() { ::close(fd); }
  std::string Env() const { return "NOTIFY_SOCKET=" + name; }
  // The next datagram within kWaitMs, or nullopt.
  std::optional<std::string> Next() const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kWaitMs) != 1) return std::nullopt;
    std::string buffer(65536, '\0');
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0) return std::nullopt;
    buffer.resize(static_cast<size_t>(n));
    return buffer;
  }
  // Skips datagrams until `wanted`; false on timeout.
  bool WaitFor(const std::string& wanted, int* skipped = nullptr) const {
    while (std::optional<std::string> message = Next()) {
      if (*message == wanted) return true;
      if (skipped != nullptr) ++*skipped;
    }
    return false;
  }
};

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  return fd;
}

// Reads one response (bodies are short, Content-Length always set) or up to EOF.
std::string ReadResponse(int fd) {
  std::string in;
  char buffer[4096];
  for (;;) {
    const size_t head = in.find("\r\n\r\n");
    if (head != std::string::npos) {
      const size_t at = in.find("Content-Length: ");
      if (at == std::string::npos) return in;
      const size_t length = std::strtoul(in.c_str() + at + 16, nullptr, 10);
      if (in.size() >= head + 4 + length) return in;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kWaitMs) != 1) return in;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return in;
    in.append(buffer, static_cast<size_t>(n));
  }
}

std::string Ask(int fd, const std::string& request) {
  EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  return ReadResponse(fd);
}

bool AtEof(int fd) {
  pollfd p{fd, POLLIN, 0};
  char byte;
  return ::poll(&p, 1, kWaitMs) == 1 && ::read(fd, &byte, 1) == 0;
}

TEST(ExecProgramsTest, NotifyServerServesThenDrainsOnSigterm) {
  NotifySocket notify;
  auto [listener, port] = Listen();
  Child child;
  Spawn(child, BinaryPath("notify_server"), listener, {notify.Env(), "WATCHDOG_USEC=40000"});
  ::close(listener);
  ASSERT_EQ(notify.Next(), "READY=1");

  const int connection = Connect(port);
  const std::string root = Ask(connection, "GET / HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(root.starts_with("HTTP/1.1 200 OK\r\n")) << root;
  EXPECT_TRUE(root.ends_with("{\"pid\":" + std::to_string(child.pid) + "}")) << root;
  EXPECT_NE(root.find("Connection: keep-alive"), std::string::npos) << root;
  const std::string health = Ask(connection, "GET /health HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_TRUE(health.starts_with("HTTP/1.1 200 OK\r\n")) << health;
  int heartbeats = 0;
  ASSERT_TRUE(notify.WaitFor("WATCHDOG=1"));  // 20 ms heartbeats from WATCHDOG_USEC/2

  // A request in flight when SIGTERM arrives is finished, answered with Connection: close.
  const std::string half = "GET /health HTTP/1.1\r\nHost: t\r\n";
  ASSERT_EQ(::send(connection, half.data(), half.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(half.size()));
  ::usleep(50'000);  // let it read the first half before it is told to stop
  ASSERT_EQ(::kill(child.pid, SIGTERM), 0);
  ASSERT_TRUE(notify.WaitFor("STOPPING=1", &heartbeats));
  const std::string last = Ask(connection, "\r\n");
  EXPECT_TRUE(last.starts_with("HTTP/1.1 503 Service Unavailable\r\n")) << last;
  EXPECT_NE(last.find("Connection: close"), std::string::npos) << last;
  EXPECT_TRUE(AtEof(connection));
  ::close(connection);

  const std::optional<int> status = child.WaitExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

TEST(ExecProgramsTest, CrashAtStartExitsOne) {
  Child child;
  Spawn(child, BinaryPath("crash_at_start"), -1, {});
  const std::optional<int> status = child.WaitExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << *status;
}

TEST(ExecProgramsTest, PlainServerAnswersAndStopsOnSigterm) {
  auto [listener, port] = Listen();
  Child child;
  Spawn(child, BinaryPath("plain_server"), listener, {});
  ::close(listener);
  const int connection = Connect(port);
  const std::string root = Ask(connection, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_TRUE(root.starts_with("HTTP/1.1 200 OK\r\n")) << root;
  EXPECT_TRUE(AtEof(connection));  // HTTP/1.0: closed after the answer
  ::close(connection);
  ASSERT_EQ(::kill(child.pid, SIGTERM), 0);
  const std::optional<int> status = child.WaitExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

TEST(ExecProgramsTest, HangServerStopsHeartbeating) {
  NotifySocket notify;
  auto [listener, port] = Listen();
  Child child;
  Spawn(child, BinaryPath("hang_server"), listener,
        {notify.Env(), "WATCHDOG_USEC=20000", "HANG_AFTER_BEATS=2"});
  ::close(listener);
  ASSERT_EQ(notify.Next(), "READY=1");
  EXPECT_EQ(notify.Next(), "WATCHDOG=1");
  EXPECT_EQ(notify.Next(), "WATCHDOG=1");
  pollfd p{notify.fd, POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 300), 0) << "a heartbeat after the hang";
  ASSERT_EQ(::kill(child.pid, SIGTERM), 0);  // blocked: it does not stop
  EXPECT_EQ(::poll(&p, 1, 200), 0) << "STOPPING=1 from a hung server";
  EXPECT_EQ(::waitpid(child.pid, nullptr, WNOHANG), 0);
}

TEST(ExecProgramsTest, NotifyAbuserStillSendsReadyAfterItsAbuse) {
  NotifySocket notify;
  auto [listener, port] = Listen();
  Child child;
  Spawn(child, BinaryPath("notify_abuser"), listener, {notify.Env()},
        {"garbage", "flood"});  // other-pid: a fake READY=1 when run as root
  ::close(listener);
  int before_ready = 0;
  ASSERT_TRUE(notify.WaitFor("READY=1", &before_ready));
  EXPECT_GE(before_ready, 9);  // the garbage at least; the flood is mostly refused
  ASSERT_EQ(::kill(child.pid, SIGTERM), 0);
  const std::optional<int> status = child.WaitExit();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

}  // namespace
