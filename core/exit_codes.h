// Exit statuses: every number a ringleader process exits with, in one place. They are protocol
// (as in nginx): a worker's tells its primary whether starting it again can help
// (fsm/worker_exit.h decides which a failed set-up gets; fsm/restart_policy.h acts on it), and
// the primary's tells the operator or the service manager why it stopped. The README lists them.
//
//   return failure.ok() ? kExitOk : SetupFailureExitCode(failure);   // worker, fsm/worker_exit.h
//   if (!st.signaled && st.code == kExitFatal) Park(slot);            // primary
#pragma once

namespace ringleader {

// Both roles: a graceful stop (the primary), or a drain that finished (a worker).
inline constexpr int kExitOk = 0;

// --- Worker ---
// The loop failed after start-up, or a test switch made it exit: restarted like a crash.
inline constexpr int kExitWorkerFailed = 1;
// "Fatal, do not respawn": bad configuration, or a host that refuses what we need.
inline constexpr int kExitFatal = 2;
// "Could not start now, try again": EX_TEMPFAIL from sysexits.h.
inline constexpr int kExitRetryable = 75;

// --- Primary ---
// Stopped by force (SIGQUIT, or a second SIGTERM/SIGINT): workers were killed, not drained.
inline constexpr int kExitForced = 1;
// Every slot is parked (EX_UNAVAILABLE): rather than keep a listener that accepts connections
// nobody will serve, the primary stops and says why.
inline constexpr int kExitAllSlotsParked = 69;
// io_uring_enter itself failed mid-run (EX_SOFTWARE); workers were killed.
inline constexpr int kExitLoopFailed = 70;
// Set-up failed, or the command line is invalid (EX_CONFIG).
inline constexpr int kExitSetupFailed = 78;

}  // namespace ringleader
