// RedisStats: what a RedisClient has done, for /stats, logs and tests.
//
//   const RedisStats& s = client.stats();
//   if (s.timeouts > 0) ...
#pragma once

#include <cstdint>

namespace ringleader {

struct RedisStats {
  uint64_t calls = 0;            // Call() invocations
  uint64_t replies = 0;          // calls answered by the server (error replies included)
  uint64_t failures = 0;         // calls completed with a non-OK status (timeouts included)
  uint64_t timeouts = 0;         // calls that hit call_timeout (their connection was replaced)
  uint64_t protocol_errors = 0;  // malformed, oversize or unsolicited replies
  uint64_t connects = 0;         // connections established
  uint64_t connect_failures = 0; // attempts refused, failed or timed out
  uint64_t disconnects = 0;      // established connections lost or closed by us on an error
};

}  // namespace ringleader
