// notify_server: a server that speaks sd_notify, for `ringleader exec` tests.
//
//   LISTEN_FDS=1 LISTEN_PID=<its pid> NOTIFY_SOCKET=/path|@name [WATCHDOG_USEC=N] notify_server
//
// Takes its listening socket as fd 3 (socket activation), serves `GET /` → {"pid":PID} and
// `GET /health` (503 while stopping) with HTTP/1.1 keep-alive, sends READY=1 once listening,
// WATCHDOG=1 every WATCHDOG_USEC/2 (200 ms without it) and STATUS=serving N requests now and
// then; on SIGTERM sends STOPPING=1, stops accepting, finishes in-flight requests, exits 0.
// Exits 1 when LISTEN_FDS/LISTEN_PID are missing or not for it.
#include "tests/programs/serve_loop.h"

int main() { return mini::Serve({.program = "notify_server", .notify = true}); }
