// The text of every Node-style log line. Formats are kept as they were first written: tests
// and the README quote them.
#include "cluster/log_lines.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "core/absl_bridge.h"
#include "core/exit_codes.h"
#include "core/signals.h"

namespace ringleader {
namespace {

// printf's "%.*s" takes an int length.
int Len(std::string_view s) { return static_cast<int>(s.size()); }
long long Ms(absl::Duration d) { return static_cast<long long>(absl::ToInt64Milliseconds(d)); }

}  // namespace

void LogError(std::string_view what) noexcept {
  std::fprintf(stderr, "ringleader: %.*s\n", Len(what), what.data());
}

void LogError(const absl::Status& status) noexcept { LogError(Std(status.message())); }

void LogPrimaryRunning(pid_t primary, int workers, std::string_view host, uint16_t port) noexcept {
  std::fprintf(stderr, "Primary %d is running: %d workers on %.*s:%u\n", primary, workers,
               Len(host), host.data(), port);
}

void LogMetricsServing(std::string_view host, uint16_t port) noexcept {
  std::fprintf(stderr, "Metrics at http://%.*s:%u/metrics\n", Len(host), host.data(), port);
}

void LogPrimaryStopped(pid_t primary, bool forced) noexcept {
  std::fprintf(stderr, "Primary %d stopped%s\n", primary, forced ? " (forced)" : "");
}

void LogPrimaryLoopFailed(const absl::Status& status) noexcept {
  std::fprintf(stderr, "ringleader: event loop failed: %s\n",
               std::string(status.message()).c_str());
}

void LogStopping(pid_t primary, std::string_view why, int live_workers) noexcept {
  std::fprintf(stderr, "Primary %d: %.*s, stopping %d workers\n", primary, Len(why), why.data(),
               live_workers);
}

void LogKillingWorkers(pid_t primary, std::string_view why) noexcept {
  std::fprintf(stderr, "Primary %d: %.*s, killing workers\n", primary, Len(why), why.data());
}

void LogWatchdogLate(pid_t primary, absl::Duration late) noexcept {
  std::fprintf(stderr,
               "Primary %d: watchdog ran %lld ms late (was the primary stopped?); heartbeat "
               "clocks restarted\n",
               primary, Ms(late));
}

void LogWorkerOnline(pid_t worker) noexcept {
  std::fprintf(stderr, "Worker %d is online\n", worker);
}

void LogWorkerListening(pid_t worker) noexcept {
  std::fprintf(stderr, "Worker %d is listening\n", worker);
}

void LogWorkerHung(pid_t worker, absl::Duration silent) noexcept {
  std::fprintf(stderr, "Worker %d is hung (no heartbeat for %lld ms): killing it\n", worker,
               Ms(silent));
}

void LogWorkerExited(pid_t worker, std::string_view status) noexcept {
  std::fprintf(stderr, "Worker %d exited (%.*s)\n", worker, Len(status), status.data());
}

void LogWorkerRestarting(pid_t worker, std::string_view status) noexcept {
  // A worker that drained and exited 0 (e.g. replaced for a broken channel) did not die.
  const bool clean = status == ExitStatus{.code = kExitOk}.Describe();
  std::fprintf(stderr, "Worker %d %s (%.*s). Restarting...\n", worker, clean ? "exited" : "died",
               Len(status), status.data());
}

void LogWorkerRestartingIn(pid_t worker, std::string_view status, absl::Duration delay) noexcept {
  std::fprintf(stderr, "Worker %d died (%.*s). Restarting in %lld ms...\n", worker, Len(status),
               status.data(), Ms(delay));
}

void LogWorkerParked(pid_t worker, std::string_view status, int slot) noexcept {
  std::fprintf(stderr, "Worker %d died (%.*s). Slot %d parked; not restarting.\n", worker,
               Len(status), status.data(), slot);
}

void LogAllSlotsParked(int parked_slots) noexcept {
  std::fprintf(stderr,
               "ringleader: all %d worker slots are parked: no worker can serve, exiting "
               "(status %d) rather than accept connections\n",
               parked_slots, kExitAllSlotsParked);
}

void LogChannelCorrupt(pid_t worker, int slot, std::string_view why) noexcept {
  std::fprintf(stderr, "ringleader: worker %d (slot %d): %.*s; replacing it\n", worker, slot,
               Len(why), why.data());
}

void LogPidfdPollFailed(pid_t worker, int res) noexcept {
  std::fprintf(stderr, "ringleader: pidfd poll for worker %d failed (%d)\n", worker, res);
}

void LogSignalFailed(pid_t worker, int signal_number, int res) noexcept {
  std::fprintf(stderr, "ringleader: cannot send %s to worker %d: %s\n",
               SignalName(signal_number).c_str(), worker, std::strerror(-res));
}

void LogWorkerBusCount(pid_t worker, int slot, std::string_view what, std::string_view note,
                       uint64_t count) noexcept {
  std::fprintf(stderr, "ringleader: worker %d (slot %d): %.*s (%.*s%llu so far)\n", worker, slot,
               Len(what), what.data(), Len(note), note.data(),
               static_cast<unsigned long long>(count));
}

void LogChildOutputDropped(pid_t child, int slot, uint64_t drops, uint64_t bytes) noexcept {
  std::fprintf(stderr,
               "ringleader: worker %d (slot %d): output dropped, its destination is not keeping "
               "up (%llu pieces, %llu bytes so far)\n",
               child, slot, static_cast<unsigned long long>(drops),
               static_cast<unsigned long long>(bytes));
}

void LogNotifyRefused(pid_t child, int slot, uint64_t garbage, uint64_t oversize,
                      uint64_t no_credentials, uint64_t other_pids) noexcept {
  std::fprintf(stderr,
               "ringleader: worker %d (slot %d): sd_notify messages dropped: %llu garbage, %llu "
               "oversize, %llu without credentials, %llu from other pids\n",
               child, slot, static_cast<unsigned long long>(garbage),
               static_cast<unsigned long long>(oversize),
               static_cast<unsigned long long>(no_credentials),
               static_cast<unsigned long long>(other_pids));
}

bool IsPowerOfTen(uint64_t n) noexcept {
  if (n == 0) return false;
  while (n % 10 == 0) n /= 10;
  return n == 1;
}

void LogRolloutStarted(std::string_view why) noexcept {
  std::fprintf(stderr, "Rolling restart (%.*s): replacing workers one slot at a time\n", Len(why),
               why.data());
}

void LogRolloutQueued(std::string_view why) noexcept {
  std::fprintf(stderr, "Rolling restart (%.*s) requested while one runs: one more will follow\n",
               Len(why), why.data());
}

void LogRolloutComplete() noexcept { std::fprintf(stderr, "Rolling restart complete\n"); }

void LogRolloutNewWorkerDied(pid_t worker, int slot, std::string_view status) noexcept {
  std::fprintf(stderr,
               "Rolling restart stopped: new worker %d for slot %d died (%.*s) before listening; "
               "the old workers stay in service\n",
               worker, slot, Len(status), status.data());
}

void LogRolloutCannotStart(int slot) noexcept {
  std::fprintf(stderr,
               "Rolling restart stopped: cannot start a worker for slot %d; the old workers stay "
               "in service\n",
               slot);
}

void LogScalingUp(pid_t primary, int slot) noexcept {
  std::fprintf(stderr, "Primary %d: scaling up (slot %d)\n", primary, slot);
}

void LogScalingDown(pid_t primary, int slot) noexcept {
  std::fprintf(stderr, "Primary %d: scaling down (slot %d)\n", primary, slot);
}

void LogNotScalingBelowOne() noexcept { LogError("not scaling below one worker"); }

void LogWorkerCannotStart(pid_t worker, const absl::Status& status, bool fatal) noexcept {
  std::fprintf(stderr, "Worker %d cannot start: %s (%s)\n", worker,
               std::string(status.message()).c_str(),
               fatal ? "configuration error, not restarted" : "will be retried");
}

void LogWorkerFailGeneration(pid_t worker, uint32_t generation) noexcept {
  std::fprintf(stderr, "Worker %d: --debug_fail_generation=%u, exiting at start\n", worker,
               generation);
}

void LogWorkerLoopFailed(pid_t worker, const absl::Status& status) noexcept {
  std::fprintf(stderr, "Worker %d: event loop failed: %s\n", worker,
               std::string(status.message()).c_str());
}

void LogWorkerDrainBound(pid_t worker) noexcept {
  std::fprintf(stderr, "Worker %d: drain bound reached, exiting\n", worker);
}

}  // namespace ringleader
