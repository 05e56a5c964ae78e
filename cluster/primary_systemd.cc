// The primary as a systemd service: it tells the service manager what it is doing over
// sd_notify (a `Type=notify` unit, core/sd_notify.h) and takes its listening socket from a
// `.socket` unit (socket activation). Part of Primary. Outside systemd (no NOTIFY_SOCKET, no
// LISTEN_FDS) none of this does anything.
//
//   READY=1, MAINPID, STATUS    once every worker of the first start listens
//   RELOADING=1, MONOTONIC_USEC a rolling restart begins (SIGUSR2, SIGHUP, ringleader-ctl reload)
//   READY=1, STATUS             it completed
//   STOPPING=1                  a graceful stop begins
#include <unistd.h>

#include <ctime>

#include "absl/strings/str_cat.h"
#include "cluster/primary.h"
#include "core/sd_notify.h"
#include "core/status.h"

namespace ringleader {

void Primary::TellServiceManager(std::string_view state) noexcept {
  // Never blocks; a service manager that stopped reading is not worth stalling the loop for.
  (void)SdNotify(state);
}

void Primary::TellReadyOnceAllListen() noexcept {
  if (told_ready_) return;
  int listening = 0;
  for (const auto& [worker, life] : lives_) listening += life.state == WorkerState::kListening;
  if (listening < options_.workers) return;
  told_ready_ = true;
  TellServiceManager(absl::StrCat("READY=1\nMAINPID=", ::getpid(), "\nSTATUS=", listening,
                                  " workers listening"));
}

void Primary::TellReloading() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  // systemd's Type=notify-reload wants the moment the reload began with it.
  TellServiceManager(absl::StrCat("RELOADING=1\nMONOTONIC_USEC=",
                                  static_cast<int64_t>(now.tv_sec) * 1000000 + now.tv_nsec / 1000,
                                  "\nSTATUS=rolling restart"));
}

void Primary::TellReloaded() noexcept {
  TellServiceManager(absl::StrCat("READY=1\nSTATUS=", LiveWorkers(), " workers listening"));
}

absl::StatusOr<bool> Primary::TakeActivatedListener() {
  RL_ASSIGN_OR_RETURN(std::vector<ListenFd> activated, ListenFdsFromEnvironment());
  if (activated.empty()) return false;
  if (activated.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "socket activation passed ", activated.size(), " sockets; ringleader serves one"));
  }
  if (options_.scheduling == Scheduling::kReusePort) {
    return absl::InvalidArgumentError(
        "socket activation passes one socket, which cannot be split per worker: use "
        "--sched=shared or --sched=rr with a .socket unit");
  }
  listener_ = std::move(activated.front().fd);
  return true;
}

}  // namespace ringleader
