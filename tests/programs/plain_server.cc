// plain_server: notify_server without sd_notify, for `ringleader exec --ready=listen|delay:MS`.
//
//   LISTEN_FDS=1 LISTEN_PID=<its pid> plain_server
//
// The same responder on fd 3 (`GET /`, `GET /health`) and the same drain on SIGTERM (exit 0);
// it never touches $NOTIFY_SOCKET, even when set.
#include "tests/programs/serve_loop.h"

int main() { return mini::Serve({.program = "plain_server", .notify = false}); }
