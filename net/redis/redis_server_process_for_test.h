// RedisServerProcess (tests only): a real redis-server on a loopback port of its own, started
// and reaped by the test — no orphan survives a test, even a failing one.
//
//   RedisServerProcess server;                  // picks a free port
//   ASSERT_TRUE(server.Start());                // returns once it answers PING
//   ... RedisOptions{.port = server.port()} ...
//   server.Kill();                              // SIGKILL + waitpid: Redis gone mid-run
//   ASSERT_TRUE(server.Start());                // same port again
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/unique_fd.h"

namespace ringleader {

class RedisServerProcess {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";

  RedisServerProcess() : port_(FreePort()) {}
  ~RedisServerProcess() { Kill(); }
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  static bool Available() { return ::access(kBinary, X_OK) == 0; }
  uint16_t port() const { return port_; }

  // Starts the server and waits (up to 5 s) until it answers PING.
  bool Start() {
    Kill();
    const std::string port = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Its startup banner and warnings would bury the test output; errors still show.
      const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null >= 0) ::dup2(null, STDOUT_FILENO);
      ::execl(kBinary, kBinary, "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
              "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (absl::Now() < deadline) {
      if (Pings()) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // SIGKILL and reap: the server vanishes without a goodbye, like a crash.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  static sockaddr_in Loopback(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
  }
  static uint16_t FreePort() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address = Loopback(0);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
  }
  // A blocking PING with a short receive timeout (test setup only, never in the loop).
  bool Pings() const {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = Loopback(port_);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return false;
    }
    timeval timeout{.tv_sec = 1, .tv_usec = 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::send(fd.get(), "PING\r\n", 6, MSG_NOSIGNAL) != 6) return false;
    char reply[16] = {};
    return ::recv(fd.get(), reply, sizeof reply, 0) >= 5 && std::string(reply, 5) == "+PONG";
  }

  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace ringleader
