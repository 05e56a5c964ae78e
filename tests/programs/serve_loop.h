// Serve: the main loop notify_server, plain_server, hang_server and notify_abuser share — the
// socket-activation listener, the MiniHttp responder, the sd_notify messages, and the drain on
// SIGTERM. Each program's main() is this call with its options.
//
//   int main() { return mini::Serve({.program = "notify_server", .notify = true}); }
//
// With `notify`: READY=1 once listening, WATCHDOG=1 every WATCHDOG_USEC/2 (else every 200 ms),
// STATUS=serving N requests every 10th heartbeat, STOPPING=1 on SIGTERM. On SIGTERM every
// variant stops accepting, answers the requests in flight with Connection: close and exits 0
// (after at most 5 s, for a request whose rest never arrives).
#pragma once

namespace mini {

struct ServeOptions {
  const char* program = "server";  // names the program in its stderr lines
  bool notify = true;              // speak sd_notify over $NOTIFY_SOCKET
  // hang_server: after this many heartbeats the process stops heartbeating and serving, for
  // good (SIGTERM stays blocked, so only SIGKILL ends it). Negative: never.
  int hang_after_beats = -1;
};

// Runs until SIGTERM and the drain; returns the exit code (1 when the set-up fails).
int Serve(const ServeOptions& options);

}  // namespace mini
