// The primary's side of two systemd protocols, without libsystemd:
//  - sd_notify(3): tell the service manager READY=1, RELOADING=1, STOPPING=1, STATUS=...;
//  - socket activation, sd_listen_fds(3): take the listening sockets systemd passed us, and
//    build the same variables for the programs *we* exec (ringleader exec hands its listener to
//    children the systemd way).
//
//   RL_ASSIGN_OR_RETURN(std::vector<ListenFd> inherited, ListenFdsFromEnvironment());
//   ... start workers ...
//   (void)SdNotify("READY=1\nSTATUS=4 workers listening");   // Ok and nothing sent outside systemd
//
//   // Handing fd 3 to an exec'd child: build the variables before fork, fill LISTEN_PID after.
//   std::vector<std::string> env = ListenFdsEnvironment(1, names);  // LISTEN_FDS, LISTEN_FDNAMES
//   char listen_pid[kListenPidBufferSize];   // its address goes into the child's envp
//   if (fork() == 0) { FormatListenPid(listen_pid, sizeof listen_pid, getpid()); execve(...); }
//
// SdNotify(state) reads and ListenFdsFromEnvironment changes the process environment, which is
// not thread-safe: call them from the primary's single thread (the latter once, at start-up).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/unique_fd.h"

namespace ringleader {

// Sends `state` ("READY=1", several assignments separated by '\n') as one datagram to
// $NOTIFY_SOCKET. Ok without sending when NOTIFY_SOCKET is unset or empty (not under systemd).
// Never blocks (MSG_DONTWAIT): a full queue is an error (EAGAIN), not a wait.
absl::Status SdNotify(std::string_view state);
// The same to an explicit socket name: a path, or '@' for an abstract name.
absl::Status SdNotify(std::string_view socket_name, std::string_view state);

// The first descriptor systemd passes (SD_LISTEN_FDS_START).
inline constexpr int kListenFdsStart = 3;
// More than this is not a real configuration but a corrupt or hostile environment.
inline constexpr int kMaxListenFds = 1024;

struct ListenFd {
  UniqueFd fd;
  std::string name;  // from LISTEN_FDNAMES; "unknown" when not given, as systemd says
};

// sd_listen_fds(unset=1) with names: reads LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES, takes
// ownership of descriptors 3..3+n-1 and marks each close-on-exec. Empty when LISTEN_FDS is unset
// or LISTEN_PID is missing or names another process (the variables were meant for our parent).
// InvalidArgument for a non-numeric or absurd (> kMaxListenFds) count or pid, or a name count
// that differs from LISTEN_FDS; an error when a descriptor is not open. The three variables are
// unset in every case, so children we start do not inherit them.
absl::StatusOr<std::vector<ListenFd>> ListenFdsFromEnvironment();

// "LISTEN_FDS=<count>" and "LISTEN_FDNAMES=<a:b:...>" for a child that will find `count`
// descriptors at 3, 4, ... (`count` is clamped to 0..kMaxListenFds, the range the reader
// accepts). Names are optional (empty span: no LISTEN_FDNAMES); otherwise one per
// descriptor, missing ones or ones systemd would refuse (empty, over 255 bytes, ':' or a
// non-printable byte) become "unknown", so the variable always parses. LISTEN_PID is not here:
// the child's pid is known only after fork — see FormatListenPid.
std::vector<std::string> ListenFdsEnvironment(int count, std::span<const std::string> names);

// Room for "LISTEN_PID=" and any pid_t, with its NUL.
inline constexpr size_t kListenPidBufferSize = 32;
// Writes "LISTEN_PID=<pid>" with a NUL into `buffer`. Async-signal-safe (no allocation, no
// locale, no stdio), for use between fork and exec. False, with nothing written, when `pid` <= 0
// or the text does not fit `size`.
bool FormatListenPid(char* buffer, size_t size, pid_t pid) noexcept;

}  // namespace ringleader
