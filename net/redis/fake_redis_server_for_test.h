// FakeRedisServer (tests only): a loopback listener on its own thread that plays a hostile or an
// honest Redis, switchable while the client under test runs.
//
//   FakeRedisServer fake;                        // listening on fake.port()
//   fake.Behave(FakeRedisServer::Mode::kScript, "*2000000000\r\n");   // answer every command so
//   fake.Behave(FakeRedisServer::Mode::kHonest);                      // "+PONG" per command
//
// Modes: kHonest answers +PONG per command (commands parsed with RedisReplyReader); kScript
// writes the canned bytes for each command; kSilent reads and never answers; kGreet writes the
// canned bytes once, on accept, before any command; kEndless answers with an endless bulk string.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/unique_fd.h"
#include "net/redis/redis_reply_reader.h"

namespace ringleader {

class FakeRedisServer {
 public:
  enum class Mode { kHonest, kScript, kSilent, kGreet, kEndless };

  FakeRedisServer() {
    listener_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    ::listen(listener_.get(), 16);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeRedisServer() {
    stop_ = true;
    thread_.join();
  }

  uint16_t port() const { return port_; }
  void Behave(Mode mode, std::string bytes = {}) {
    std::lock_guard lock(mutex_);
    mode_ = mode;
    script_ = std::move(bytes);
  }
  int accepted() const { return accepted_; }

 private:
  struct Peer {
    UniqueFd fd;
    RedisReplyReader commands{{.max_reply_bytes = 1 << 20, .max_array_elements = 1 << 16}};
    bool endless = false;
  };

  void Loop() {
    std::vector<std::unique_ptr<Peer>> peers;
    while (!stop_) {
      std::vector<pollfd> fds{{listener_.get(), POLLIN, 0}};
      for (auto& p : peers) {
        fds.push_back({p->fd.get(), static_cast<short>(POLLIN | (p->endless ? POLLOUT : 0)), 0});
      }
      if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
      if ((fds[0].revents & POLLIN) != 0) Accept(peers);
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!Serve(*peers[i - 1], fds[i].revents)) peers[i - 1].reset();
      }
      std::erase_if(peers, [](const auto& p) { return p == nullptr; });
    }
  }

  void Accept(std::vector<std::unique_ptr<Peer>>& peers) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;
    ++accepted_;
    auto peer = std::make_unique<Peer>();
    peer->fd = std::move(fd);
    std::lock_guard lock(mutex_);
    if (mode_ == Mode::kGreet) Write(*peer, script_);
    peers.push_back(std::move(peer));
  }

  // False when the peer is gone.
  bool Serve(Peer& peer, short revents) {
    if (peer.endless && (revents & POLLOUT) != 0) {
      const std::string chunk(16 * 1024, 'x');
      if (::send(peer.fd.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0 &&
          errno != EAGAIN) {
        return false;
      }
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
    char buffer[16 * 1024];
    const ssize_t n = ::recv(peer.fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return n < 0 && errno == EAGAIN;
    peer.commands.Feed(std::string_view(buffer, static_cast<size_t>(n)));
    std::string out;
    while (true) {
      auto command = peer.commands.Next();
      if (!command.ok() || !command->has_value()) break;
      std::lock_guard lock(mutex_);
      switch (mode_) {
        case Mode::kHonest:
        case Mode::kGreet:
          out += "+PONG\r\n";
          break;
        case Mode::kScript:
          out += script_;
          break;
        case Mode::kSilent:
          break;
        case Mode::kEndless:
          if (!peer.endless) out += "$100000000\r\n";
          peer.endless = true;
          break;
      }
    }
    Write(peer, out);
    return true;
  }

  static void Write(Peer& peer, const std::string& bytes) {
    if (!bytes.empty()) ::send(peer.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::mutex mutex_;
  Mode mode_ = Mode::kHonest;
  std::string script_;
  std::thread thread_;
};

}  // namespace ringleader
