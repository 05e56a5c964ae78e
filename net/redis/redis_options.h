// RedisOptions: where the Redis server is and how the client treats it; ParseRedisAddress turns
// a `--redis=host:port` flag into options, resolving a host name once, at startup.
//
//   RL_ASSIGN_OR_RETURN(RedisOptions options, ParseRedisAddress("127.0.0.1:6379"));
//   options.connections = 4;
//   RedisClient redis(options);
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringleader {

struct RedisOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal (ParseRedisAddress resolves names)
  uint16_t port = 6379;
  int connections = 2;  // pipelined connections in the pool
  // A call unanswered this long fails with DeadlineExceeded and its connection is replaced;
  // a connect that takes this long is abandoned.
  absl::Duration call_timeout = absl::Seconds(1);
  absl::Duration backoff_min = absl::Milliseconds(50);  // first reconnect delay, doubling...
  absl::Duration backoff_max = absl::Seconds(2);        // ...up to this
  size_t max_reply_bytes = 1 << 20;      // one reply on the wire, and its element tables
  size_t max_array_elements = 1024;      // per array header
  size_t max_pending_per_connection = 1024;  // calls awaiting a reply on one connection
};

// "host:port" or "[v6]:port" → options with `host` a numeric literal. A name is resolved here
// with getaddrinfo (blocking: call at startup, never from the loop). InvalidArgument for a
// malformed address, NotFound when the name does not resolve.
absl::StatusOr<RedisOptions> ParseRedisAddress(std::string_view host_port);

// The socket address of a numeric host and a port.
struct RedisEndpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_INET;
};
absl::StatusOr<RedisEndpoint> RedisEndpointOf(const RedisOptions& options);

}  // namespace ringleader
