// hang_server: a notify_server that hangs, for watchdog tests of `ringleader exec`.
//
//   LISTEN_FDS=1 LISTEN_PID=<its pid> NOTIFY_SOCKET=... [HANG_AFTER_BEATS=3] hang_server
//
// Sends READY=1 and then HANG_AFTER_BEATS WATCHDOG=1 heartbeats (default 3) as notify_server
// does, prints "hang_server: hanging after N heartbeats" to stderr, and stops heartbeating and
// serving for good: SIGTERM is blocked, so only SIGKILL ends it.
#include <cstdlib>

#include "tests/programs/serve_loop.h"

int main() {
  const char* beats = std::getenv("HANG_AFTER_BEATS");
  const int hang_after = beats == nullptr ? 3 : std::atoi(beats);
  return mini::Serve({.program = "hang_server", .notify = true, .hang_after_beats = hang_after});
}
