// One request on a fresh loopback connection, as a client without pooling makes it: connect,
// send, read the answer to EOF, close. Syscalls only (no allocation, no gtest), so allocation
// counts and benchmarks can use it alike.
//
//   ASSERT_TRUE(ExchangeOnLoopback(port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string_view>

#include "core/unique_fd.h"

namespace ringleader {

// False if connecting, sending or reading failed, or nothing came back before EOF.
inline bool ExchangeOnLoopback(uint16_t port, std::string_view request) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return false;
  }
  char buffer[1024];
  ssize_t n = 0, total = 0;
  while ((n = ::recv(fd.get(), buffer, sizeof buffer, 0)) > 0) total += n;
  return n == 0 && total > 0;
}

}  // namespace ringleader
