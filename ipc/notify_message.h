// NotifyMessage: one sd_notify(3) datagram from a supervised child, parsed and bounded. Pure: no
// sockets, no policy. Knows what the keys say; what the supervisor does about them is elsewhere.
//
//   absl::StatusOr<NotifyMessage> m = ParseNotifyMessage("READY=1\nSTATUS=listening on :3000\n");
//   if (!m.ok()) { ++garbage; return; }         // InvalidArgument: refused whole
//   if (m->ready) ...; if (m->status) ShowStatus(*m->status);
//
// The wire format is newline-separated KEY=VALUE assignments; a datagram may carry several
// (READY=1 together with STATUS= and MAINPID= is common), so each key is its own field rather
// than one "kind" of message. A later assignment of the same key wins, as in systemd.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ringleader {

// Larger datagrams are refused (systemd's own limit is larger; ours bounds what a child can make
// the primary parse).
inline constexpr size_t kMaxNotifyDatagram = 4096;
// STATUS is shown by `ringleader-ctl status` and in logs: at most this many bytes are kept.
inline constexpr size_t kMaxNotifyStatus = 256;

// What a WATCHDOG= assignment said. One field, because "heartbeat" and "hung" exclude each other.
enum class WatchdogSignal {
  kNone,       // no WATCHDOG= in the datagram
  kHeartbeat,  // WATCHDOG=1: alive, restart the watchdog timer
  kTrigger,    // WATCHDOG=trigger: the child says it is hung; treat as a missed deadline
};

struct NotifyMessage {
  bool ready = false;      // READY=1: started up, or finished a reload
  bool reloading = false;  // RELOADING=1: reloading its configuration
  bool stopping = false;   // STOPPING=1: beginning to shut down
  WatchdogSignal watchdog = WatchdogSignal::kNone;
  // STATUS=...: control characters removed, cut to kMaxNotifyStatus bytes on a UTF-8 character
  // boundary. Present and empty for "STATUS=" (the child clears its status).
  std::optional<std::string> status;
  // MAINPID=n: the child says its main process is now `n` (decimal, > 0).
  std::optional<pid_t> mainpid;
  // Well-formed assignments to keys we do not act on (ERRNO=, MONOTONIC_USEC=, FDSTORE=...).
  int unknown_keys = 0;
  // Known keys with a value we do not accept (READY=0, MAINPID=abc, WATCHDOG=2): ignored.
  int ignored_values = 0;
};

// Parses one datagram. InvalidArgument ("garbage") when it is over kMaxNotifyDatagram bytes,
// holds a NUL byte, has a non-empty line without '=', or recognises nothing (no assignment with
// an effect: empty, only unknown keys, only ignored values). Empty lines are skipped.
absl::StatusOr<NotifyMessage> ParseNotifyMessage(std::string_view datagram);

}  // namespace ringleader
