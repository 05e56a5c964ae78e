// signalfd set-up and signal names.
#include "core/signals.h"

#include <sys/signalfd.h>

#include <cerrno>

#include "core/status.h"

namespace ringleader {

absl::StatusOr<UniqueFd> OpenSignalFd(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0) return ErrnoStatus(errno, "sigprocmask");
  UniqueFd fd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd) return ErrnoStatus(errno, "signalfd");
  return fd;
}

void IgnoreSignals(std::initializer_list<int> signals) {
  for (int s : signals) std::signal(s, SIG_IGN);
}

std::string SignalName(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  if (abbrev == nullptr) return "signal " + std::to_string(signal_number);
  // sigabbrev_np gives "TERM"; our logs say "SIGTERM", as Node does.
  return std::string("SIG") + abbrev;
}

}  // namespace ringleader
