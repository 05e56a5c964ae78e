// The log lines both roles write to stderr, Node-style ("Worker 4242 is online"). They are an
// interface: operators grep them, and the integration tests and the README assert on their
// text, so every line is written here and nowhere else, and a change to one is a change to the
// interface. Each function writes one whole line with one fprintf (glibc formats an unbuffered
// stream's line before its single write), so lines of the primary and its workers, which share
// stderr, do not interleave mid-line.
//
//   LogPrimaryRunning(::getpid(), options.workers, options.listen.host, port);
//   LogWorkerOnline(worker.pid());
//   LogWorkerRestarting(pid, "SIGKILL");   // "Worker 7 died (SIGKILL). Restarting..."
//
// Lines a worker's own input can cause repeatedly go through WorkerProcess::LogSparingly, which
// calls LogWorkerBusCount on the 1st, 10th, 100th... occurrence only (IsPowerOfTen).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/process.h"

namespace ringleader {

// "ringleader: <what>" — set-up failures, bad flags, and errors with no worker to name.
void LogError(std::string_view what) noexcept;
void LogError(const absl::Status& status) noexcept;

// --- The primary: its own life ---
void LogPrimaryRunning(pid_t primary, int workers, std::string_view host, uint16_t port) noexcept;
void LogPrimaryStopped(pid_t primary, bool forced) noexcept;
void LogMetricsServing(std::string_view host, uint16_t port) noexcept;
void LogPrimaryLoopFailed(const absl::Status& status) noexcept;
// `why` names the signal or the reason ("SIGTERM", "all worker slots parked").
void LogStopping(pid_t primary, std::string_view why, int live_workers) noexcept;
void LogKillingWorkers(pid_t primary, std::string_view why) noexcept;
void LogWatchdogLate(pid_t primary, absl::Duration late) noexcept;

// --- The primary: one worker's lifecycle ---
void LogWorkerOnline(pid_t worker) noexcept;
void LogWorkerListening(pid_t worker) noexcept;
void LogWorkerHung(pid_t worker, absl::Duration silent) noexcept;
// Exited while nothing is to follow in its slot (draining, replaced, scaled away, stopping).
void LogWorkerExited(pid_t worker, std::string_view status) noexcept;
// "Worker 7 died (SIGKILL). Restarting..." — "exited" instead of "died" for a clean code 0
// (a worker drained and replaced, e.g. for a broken channel, did not die).
void LogWorkerRestarting(pid_t worker, std::string_view status) noexcept;
void LogWorkerRestartingIn(pid_t worker, std::string_view status, absl::Duration delay) noexcept;
void LogWorkerParked(pid_t worker, std::string_view status, int slot) noexcept;
void LogAllSlotsParked(int parked_slots) noexcept;  // names kExitAllSlotsParked
// A worker's channel delivered bytes without framing: it is replaced.
void LogChannelCorrupt(pid_t worker, int slot, std::string_view why) noexcept;
void LogPidfdPollFailed(pid_t worker, int res) noexcept;
// A signal the primary sent did not arrive (`res` is the negative errno of pidfd_send_signal).
void LogSignalFailed(pid_t worker, int signal_number, int res) noexcept;
// One counted kind of misbehaviour on the bus; `note` is "" or "dropped, ".
void LogWorkerBusCount(pid_t worker, int slot, std::string_view what, std::string_view note,
                       uint64_t count) noexcept;

// A child's stdout/stderr overflowed ChildOutput's bound: `drops` pieces, `bytes` in all.
void LogChildOutputDropped(pid_t child, int slot, uint64_t drops, uint64_t bytes) noexcept;
// `ringleader exec`: what a program sent on its notify socket that was dropped, at its end.
void LogNotifyRefused(pid_t child, int slot, uint64_t garbage, uint64_t oversize,
                      uint64_t no_credentials, uint64_t other_pids) noexcept;

// True for the 1st, 10th, 100th... occurrence: how a flood of one event becomes a few lines.
bool IsPowerOfTen(uint64_t n) noexcept;

// --- The primary: the fleet (rolling restart, scaling) ---
void LogRolloutStarted(std::string_view why) noexcept;
void LogRolloutQueued(std::string_view why) noexcept;
void LogRolloutComplete() noexcept;
void LogRolloutNewWorkerDied(pid_t worker, int slot, std::string_view status) noexcept;
void LogRolloutCannotStart(int slot) noexcept;
void LogScalingUp(pid_t primary, int slot) noexcept;
void LogScalingDown(pid_t primary, int slot) noexcept;
void LogNotScalingBelowOne() noexcept;

// --- A worker, about itself ---
// `fatal`: it exits kExitFatal and its slot is parked; otherwise it will be retried.
void LogWorkerCannotStart(pid_t worker, const absl::Status& status, bool fatal) noexcept;
void LogWorkerFailGeneration(pid_t worker, uint32_t generation) noexcept;
void LogWorkerLoopFailed(pid_t worker, const absl::Status& status) noexcept;
void LogWorkerDrainBound(pid_t worker) noexcept;

}  // namespace ringleader
