// RedisServerProcess (tests only): a real redis-server on a loopback port of its own, started
// and reaped by the test — no orphan survives a test, even a failing one.
//
//   RedisServerProcess server;                  // picks a free port
//   ASSERT_TRUE(server.Start());                // returns once it answers PING
//   ... RedisOptions{.port = server.port()} ...
//   server.Kill();                              // SIGKILL + waitpid: Redis gone mid-run
//   ASSERT_TRUE(server.Start());                // same port again
//   server.Signal(SIGSTOP);                     // Redis hangs: connected, nothing answered
//   std::string size = server.Command("DBSIZE");  // ":0"
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

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
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Signal(int signal_number) const {
    if (pid_ > 0) ::kill(pid_, signal_number);
  }

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
      if (Command("PING") == "+PONG") return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  // SIGKILL and reap: the server vanishes without a goodbye, like a crash (a stopped one too).
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::kill(pid_, SIGCONT);
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

 public:
  // Sends one inline command ("DBSIZE") with a blocking socket and a short receive timeout (test
  // code only, never in a loop) and returns the first line of the reply; empty on failure.
  std::string Command(std::string_view inline_command) const {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in address = Loopback(port_);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      return {};
    }
    timeval timeout{.tv_sec = 1, .tv_usec = 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string line = std::string(inline_command) + "\r\n";
    if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
      return {};
    }
    std::string reply;
    char byte = 0;
    while (::recv(fd.get(), &byte, 1, 0) == 1 && byte != '\n') {
      if (byte != '\r') reply.push_back(byte);
    }
    return reply;
  }

 private:
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace ringleader
