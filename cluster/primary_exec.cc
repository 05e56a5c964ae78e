// `ringleader exec -i N -- PROGRAM ARGS...`: the same supervisor (lifecycle, crash loops,
// watchdog, rolling restart, drain) over a program of the user's instead of this binary. Part of
// Primary.
//
// The program gets what systemd gives a socket-activated service: the listening socket as fd 3
// with LISTEN_FDS=1, LISTEN_PID=<its pid> and LISTEN_FDNAMES=http, so Node's
// `server.listen({fd: 3})` or Python's `socket.fromfd(3, ...)` serve on the cluster's port; and
// RINGLEADER_SLOT / RINGLEADER_GENERATION say which worker it is. Every copy accepts from the one
// shared socket (--sched=shared): the kernel queues connections while any copy restarts, and
// the primary never needs to hand a connection to a program that does not speak our channel.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "cluster/primary.h"

namespace ringleader {

absl::Status Primary::CheckExecOptions() const {
  if (!exec_mode()) return absl::OkStatus();
  if (options_.scheduling != Scheduling::kShared) {
    return absl::InvalidArgumentError(
        "ringleader exec serves one shared socket (--sched=shared): a program of your own "
        "cannot take connections handed over by the primary");
  }
  if (options_.exec.stop_signal <= 0 || options_.exec.stop_signal >= NSIG ||
      options_.exec.stop_signal == SIGKILL || options_.exec.stop_signal == SIGSTOP) {
    return absl::InvalidArgumentError("--stop_signal must be a signal a program can handle");
  }
  return executable_.Resolve().status();
}

SpawnRequest Primary::ProgramSpawnRequest(int slot, uint32_t generation, int listen_fd) const {
  return SpawnRequest{
      .argv = options_.exec.argv,
      .env = {"LISTEN_FDS=1", "LISTEN_FDNAMES=http", absl::StrCat("RINGLEADER_SLOT=", slot),
              absl::StrCat("RINGLEADER_GENERATION=", generation)},
      .fds_at = {{.fd = listen_fd, .at = 3}},
      .own_pid_variable = "LISTEN_PID",
      .parent_death_signal = SIGTERM};
}

void Primary::OnProgramStarted(WorkerProcess& worker) noexcept {
  // exec succeeded or the child exits 127 and is reaped as a crash: either way it runs now.
  Deliver(worker, WorkerEvent::kOnlineMessage, "exec");
  switch (options_.exec.ready) {
    case ReadyMode::kNotify: return;
    case ReadyMode::kDelay: return worker.ArmReadyDelay(options_.exec.ready_delay);
  }
}

}  // namespace ringleader
