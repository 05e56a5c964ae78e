// The fake control server: one accept thread, one thread per connection, every wait bounded
// by a short poll() so the destructor stops them promptly.
#include "tools/ringleader_ctl/fake_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ringleader::ctl {

namespace {

constexpr int kPollMs = 20;

bool WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeControlServer>> FakeControlServer::Start(std::string path,
                                                                            Handler handler) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return absl::InvalidArgumentError("path too long");
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 64) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::ErrnoToStatus(err, absl::StrCat("bind/listen ", path));
  }
  std::unique_ptr<FakeControlServer> server(
      new FakeControlServer(std::move(path), fd, std::move(handler)));
  server->accept_thread_ = std::thread([s = server.get()] { s->AcceptLoop(); });
  return server;
}

FakeControlServer::~FakeControlServer() {
  stop_ = true;
  accept_thread_.join();
  for (std::thread& t : threads_) t.join();
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::vector<std::string> FakeControlServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

void FakeControlServer::AcceptLoop() {
  while (!stop_) {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn >= 0) threads_.emplace_back([this, conn] { Serve(conn); });
  }
}

void FakeControlServer::Serve(int fd) {
  // The request: up to its newline or the client's close.
  std::string request;
  while (!stop_ && request.find('\n') == std::string::npos) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) break;
    request.append(chunk, static_cast<size_t>(n));
  }
  request = request.substr(0, request.find('\n'));
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
  }
  const FakeReply reply = handler_(request);
  bool open = WriteAll(fd, reply.reply);
  for (size_t i = 0; open && i < reply.stream.size() && !stop_; ++i) {
    absl::SleepFor(reply.interval);
    open = WriteAll(fd, reply.stream[i]);
  }
  // Holding a stream open: wait for the client's close (a read of 0) or our stop.
  while (open && reply.hold_open && !stop_) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    char chunk[256];
    if (::recv(fd, chunk, sizeof(chunk), 0) <= 0) break;
  }
  ::close(fd);
}

}  // namespace ringleader::ctl
