// MiniHttp: accept, parse the request line, answer, and the drain on stop.
#include "tests/programs/mini_http.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace mini {
namespace {

constexpr int kSystemdFirstFd = 3;  // SD_LISTEN_FDS_START
// A request head larger than this is not one of ours: the connection is closed.
constexpr size_t kMaxHead = 16 * 1024;

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                     }) != haystack.end();
}

std::string Response(int code, std::string_view reason, std::string_view body, bool close) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) +
                    "\r\nContent-Type: text/plain\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n";
  out += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  out += body;
  return out;
}

}  // namespace

int TakeSystemdListenFd(const char* program) {
  const char* fds = std::getenv("LISTEN_FDS");
  const char* pid = std::getenv("LISTEN_PID");
  if (fds == nullptr || pid == nullptr || std::strcmp(fds, "1") != 0) {
    std::fprintf(stderr, "%s: expected LISTEN_FDS=1 and LISTEN_PID (socket activation)\n",
                 program);
    return -1;
  }
  // LISTEN_PID guards against variables inherited from a parent they were meant for.
  if (std::strtol(pid, nullptr, 10) != ::getpid()) {
    std::fprintf(stderr, "%s: LISTEN_PID=%s is not this process (%d)\n", program, pid,
                 ::getpid());
    return -1;
  }
  ::fcntl(kSystemdFirstFd, F_SETFD, FD_CLOEXEC);
  SetNonBlocking(kSystemdFirstFd);
  return kSystemdFirstFd;
}

MiniHttp::MiniHttp(int listen_fd) : listen_fd_(listen_fd) {}

MiniHttp::~MiniHttp() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (const Connection& connection : connections_) ::close(connection.fd);
}

bool MiniHttp::PollOnce(int timeout_ms, int watch_fd) {
  std::vector<pollfd> fds;
  fds.push_back({watch_fd, POLLIN, 0});
  fds.push_back({stopping_ ? -1 : listen_fd_, POLLIN, 0});
  for (const Connection& connection : connections_) {
    const short events = static_cast<short>(POLLIN | (connection.out.empty() ? 0 : POLLOUT));
    fds.push_back({connection.fd, events, 0});
  }
  if (::poll(fds.data(), fds.size(), timeout_ms) < 0) return false;  // EINTR: next turn

  // Connections first (their indices match fds[2...]), then the listener appends new ones.
  std::vector<Connection> kept;
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& connection = connections_[i];
    const short revents = fds[i + 2].revents;
    bool alive = true;
    if (revents & (POLLIN | POLLHUP | POLLERR)) alive = OnReadable(connection);
    if (alive && (revents & POLLOUT)) alive = Flush(connection);
    // Draining: a keep-alive connection ends on its next answer ("Connection: close"); one
    // silent for the grace is closed then. Closing it at once would race a request already on
    // its way (and unread bytes turn close() into a reset).
    if (alive && stopping_ && Idle(connection) && now - connection.last_active >= kIdleGrace) {
      alive = false;
    }
    if (alive) {
      kept.push_back(std::move(connection));
    } else {
      ::close(connection.fd);
    }
  }
  connections_ = std::move(kept);
  if (fds[1].revents & POLLIN) Accept();
  return watch_fd >= 0 && (fds[0].revents & POLLIN) != 0;
}

void MiniHttp::BeginStop() {
  if (stopping_) return;
  stopping_ = true;
  ::close(listen_fd_);
  listen_fd_ = -1;
}

void MiniHttp::Accept() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: drained; anything else: try again on the next turn
    connections_.push_back(Connection{.fd = fd, .last_active = std::chrono::steady_clock::now()});
  }
}

bool MiniHttp::OnReadable(Connection& connection) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(connection.fd, buffer, sizeof buffer);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return false;
      break;
    }
    connection.in.append(buffer, static_cast<size_t>(n));
    connection.last_active = std::chrono::steady_clock::now();
  }
  Answer(connection);
  if (connection.in.size() > kMaxHead) return false;
  return Flush(connection);
}

void MiniHttp::Answer(Connection& connection) {
  // Pipelined requests are answered in order; nothing is answered after a closing response.
  size_t end;
  while (!connection.close_after_out && (end = connection.in.find("\r\n\r\n")) != std::string::npos) {
    const std::string_view head(connection.in.data(), end + 4);
    const size_t line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    const bool http10 = line.ends_with("HTTP/1.0");
    const bool close = stopping_ || http10 || ContainsNoCase(head, "\r\nConnection: close");
    if (line.starts_with("GET / ")) {
      connection.out += Response(200, "OK", "{\"pid\":" + std::to_string(::getpid()) + "}", close);
    } else if (line.starts_with("GET /health ")) {
      connection.out += stopping_ ? Response(503, "Service Unavailable", "stopping", close)
                                  : Response(200, "OK", "ok", close);
    } else {
      connection.out += Response(404, "Not Found", "not found", close);
    }
    connection.close_after_out = close;
    connection.in.erase(0, end + 4);
    ++requests_served_;
  }
}

bool MiniHttp::Flush(Connection& connection) {
  while (!connection.out.empty()) {
    const ssize_t n = ::send(connection.fd, connection.out.data(), connection.out.size(),
                             MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    connection.out.erase(0, static_cast<size_t>(n));
  }
  return !connection.close_after_out;
}

bool MiniHttp::Idle(const Connection& connection) const {
  return connection.in.empty() && connection.out.empty();
}

}  // namespace mini
