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
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "cluster/primary.h"
#include "core/sd_notify.h"
#include "core/status.h"

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

absl::StatusOr<Primary::ProgramChild> Primary::SpawnProgram(std::string executable, int slot,
                                                            uint32_t generation,
                                                            int listen_fd) noexcept {
  // Abstract: nothing on disk to clean up after a crash. Unique per slot and generation, and the
  // sender's pid is checked too, so a program cannot speak for another (OnNotify).
  auto route = std::make_shared<WorkerProcess*>(nullptr);
  RL_ASSIGN_OR_RETURN(
      std::unique_ptr<NotifySocket> notify,
      NotifySocket::Bind(
          *ring_, absl::StrCat("@ringleader/", ::getpid(), "/", slot, "/", generation),
          NotifyCallbacks{
              .on_message =
                  [this, route](pid_t sender, uid_t, const NotifyMessage& message) {
                    if (*route != nullptr) OnNotify(**route, sender, message);
                  },
              .on_stopped =
                  [route] {
                    if (*route != nullptr) (*route)->OnNotifyStopped();
                  }}));
  const std::string fd_names[] = {"http"};
  std::vector<std::string> env = ListenFdsEnvironment(1, fd_names);  // LISTEN_PID: Spawn's
  env.insert(env.end(), {absl::StrCat("NOTIFY_SOCKET=", notify->name()),
                         absl::StrCat("RINGLEADER_SLOT=", slot),
                         absl::StrCat("RINGLEADER_GENERATION=", generation)});
  if (options_.watchdog_timeout > absl::ZeroDuration()) {
    // systemd's contract: a program that heartbeats sends WATCHDOG=1 at least this often.
    env.push_back(absl::StrCat("WATCHDOG_USEC=",
                               absl::ToInt64Microseconds(options_.watchdog_timeout)));
  }
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  UniqueFd out_read(out[0]), out_write(out[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return ErrnoStatus(errno, "pipe2");
  UniqueFd err_read(err[0]), err_write(err[1]);
  RL_ASSIGN_OR_RETURN(
      Child child,
      Spawn(SpawnRequest{
          .executable = std::move(executable),
          .argv = options_.exec.argv,
          .env = std::move(env),
          .fds_at = {{.fd = listen_fd, .at = 3},
                     {.fd = out_write.get(), .at = STDOUT_FILENO},
                     {.fd = err_write.get(), .at = STDERR_FILENO}},
          .own_pid_variable = "LISTEN_PID",
          .parent_death_signal = SIGTERM,
          .run_as = options_.worker_identity}));
  // Only the child writes now: its exit (and its own children's) ends the copies.
  out_write.Reset();
  err_write.Reset();
  for (auto [source, destination] : {std::pair{&out_read, STDOUT_FILENO},
                                     std::pair{&err_read, STDERR_FILENO}}) {
    // A list: the entry's iterator stays valid for the callback that erases it.
    const auto entry = program_outputs_.emplace(program_outputs_.end());
    *entry = std::make_unique<ChildOutput>(
        std::move(*source), destination, slot, child.pid, [this, entry]() noexcept {
          // From its own completion: freed after this batch.
          ring_->Defer([this, entry] {
            program_outputs_.erase(entry);
            MaybeFinish();
          });
        });
    auto& output = *entry;
    output->Start(*ring_);
  }
  return ProgramChild{.child = std::move(child),
                      .notify = {.socket = std::move(notify), .route = std::move(route)}};
}

bool Primary::ProgramOutputsIdle() noexcept {
  // A pipe still open after every program exited is held by a program's own child: stop
  // copying it rather than wait for it.
  for (auto& output : program_outputs_) output->Stop();
  return program_outputs_.empty();
}

void Primary::OnProgramStarted(WorkerProcess& worker, ProgramNotify notify) noexcept {
  *notify.route = &worker;
  worker.AttachNotify(std::move(notify.socket));
  // exec succeeded or the child exits 127 and is reaped as a crash: either way it runs now.
  Deliver(worker, WorkerEvent::kOnlineMessage, "exec");
  switch (options_.exec.ready) {
    case ReadyMode::kNotify: return;
    case ReadyMode::kDelay: return worker.ArmReadyDelay(options_.exec.ready_delay);
  }
}

void Primary::OnNotify(WorkerProcess& worker, pid_t sender, const NotifyMessage& message) noexcept {
  // The kernel names the sender: a program speaks only for itself, on its own socket.
  if (sender != worker.pid()) {
    return worker.CountBad(worker.counters().spoofed,
                           absl::StrCat("sd_notify from pid ", sender, ", not the worker's"));
  }
  WorkerLife& life = LifeOf(worker);
  switch (message.watchdog) {
    case WatchdogSignal::kNone: break;
    case WatchdogSignal::kHeartbeat:
      worker.NoteHeartbeat();
      // From its first heartbeat on, a program owes them (systemd's WATCHDOG_USEC contract).
      if (life.watch == WorkerLife::Watch::kNotYet) life.watch = WorkerLife::Watch::kWatching;
      break;
    case WatchdogSignal::kTrigger:
      if (life.watch != WorkerLife::Watch::kFired) {
        life.watch = WorkerLife::Watch::kFired;
        Deliver(worker, WorkerEvent::kWatchdogTimeout, "WATCHDOG=trigger");
      }
      return;
  }
  if (message.status) life.status_text = *message.status;
  if (message.ready && options_.exec.ready == ReadyMode::kNotify &&
      life.state == WorkerState::kOnline) {
    Deliver(worker, WorkerEvent::kListeningMessage, "READY=1");
  }
}

}  // namespace ringleader
