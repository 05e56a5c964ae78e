// Signals as events: blocks a set of signals for the whole process and opens a signalfd for
// them, so the event loop reads signals like any other input and nothing runs in signal context.
//
//   RL_ASSIGN_OR_RETURN(UniqueFd sfd, OpenSignalFd({SIGTERM, SIGINT, SIGUSR2}));
//   read_op.Arm(ring, sfd.get(), &info, sizeof info);   // signalfd_siginfo per completion
#pragma once

#include <csignal>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "core/unique_fd.h"

namespace ringleader {

// Blocks `signals` in the calling thread and returns a non-blocking signalfd for them.
absl::StatusOr<UniqueFd> OpenSignalFd(std::initializer_list<int> signals);

// Sets `signals` to SIG_IGN (for signals a process wants neither delivered nor read).
void IgnoreSignals(std::initializer_list<int> signals);

// A printable name such as "SIGTERM" (or "signal 42").
std::string SignalName(int signal_number);

}  // namespace ringleader
