// Test helpers for a server fed by hand: a loopback TCP connection with both ends in the test
// (the server's end is what an accept, or the primary's hand-off, would give), and a
// non-blocking read of what the client has received so far.
//
//   TcpPair c = ConnectLoopbackPair();
//   server->Adopt(c.server.release());
//   std::string got = ReadAvailable(c.client.get());
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include "core/unique_fd.h"

namespace ringleader {

struct TcpPair {
  UniqueFd client;
  UniqueFd server;
};

inline TcpPair ConnectLoopbackPair() {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(::listen(listener.get(), 4), 0);
  EXPECT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  TcpPair pair{.client = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))};
  EXPECT_EQ(::connect(pair.client.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  pair.server = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  return pair;
}

// What the client has received so far, without blocking; `eof` is set when the peer closed.
inline std::string ReadAvailable(int fd, bool* eof = nullptr) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 && eof != nullptr) *eof = true;
    return out;
  }
}

}  // namespace ringleader
