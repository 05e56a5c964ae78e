// Listening TCP sockets. The primary opens one before forking; workers inherit it and never bind.
//
//   RL_ASSIGN_OR_RETURN(UniqueFd listener, OpenListener({.host = "0.0.0.0", .port = 3000}));
//   RL_ASSIGN_OR_RETURN(uint16_t port, LocalPort(listener.get()));   // resolves --port=0
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/unique_fd.h"

namespace ringleader {

struct ListenOptions {
  std::string host = "0.0.0.0";  // numeric IPv4/IPv6 address, or a name such as localhost
  uint16_t port = 3000;          // 0: the kernel picks one
  int backlog = 4096;
  bool reuse_port = false;  // SO_REUSEPORT, for per-worker listeners
};

absl::StatusOr<UniqueFd> OpenListener(const ListenOptions& options);

// The port a bound socket actually has.
absl::StatusOr<uint16_t> LocalPort(int fd);

}  // namespace ringleader
