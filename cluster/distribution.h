// Which worker takes a connection the primary accepted (--sched=rr, and reuseport slots the
// primary accepts for). Pure: no sockets, no ring — the primary carries it out.
//
//   HandOffLedger& l = life.handoffs;       // per worker
//   l.Handed();                             // a connection was queued for it
//   l.Taken({.taken = 40, .open = 7});      // its acknowledgement
//
//   std::vector<PickCandidate> c = {{.slot = 0, .load = l0.Load(), .full = l0.Full()}, ...};
//   std::optional<size_t> i = picker.LeastLoaded(c);        // or WorkerPicker::Sticky(key, c)
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "ipc/bus_protocol.h"

namespace ringleader {

// Connections handed to a worker and not yet acknowledged stop at this many: a worker that
// stops reading its channel holds at most this many waiting, and the rest go to the others.
inline constexpr uint64_t kMaxUnacknowledgedHandOffs = 32;

// What the primary knows of one worker's hand-offs. Its open connections are what the worker
// last reported plus what was handed since; a worker's reports are untrusted, so a "taken" count
// beyond what it was handed, or going backwards, is ignored.
class HandOffLedger {
 public:
  void Handed() noexcept { ++handed_; }
  void Taken(const TakenReport& report) noexcept;
  // Its estimated open connections.
  int64_t Load() const noexcept { return open_ + static_cast<int64_t>(handed_ - taken_); }
  bool Full() const noexcept { return handed_ - taken_ >= kMaxUnacknowledgedHandOffs; }
  uint64_t handed() const noexcept { return handed_; }
  uint64_t unacknowledged() const noexcept { return handed_ - taken_; }

 private:
  uint64_t handed_ = 0;
  uint64_t taken_ = 0;
  int64_t open_ = 0;
};

// One worker that may take the next connection.
struct PickCandidate {
  int slot = 0;
  int64_t load = 0;   // HandOffLedger::Load()
  bool full = false;  // HandOffLedger::Full(), or its channel refused a hand-off
};

class WorkerPicker {
 public:
  // The least-loaded candidate that is not full, round-robin among equals (so equal workers take
  // turns, as Node's round-robin does); nullopt when every one is full or there is none.
  std::optional<size_t> LeastLoaded(std::span<const PickCandidate> candidates) noexcept;

  // Sticky sessions: the candidate whose slot scores highest for `client` (rendezvous hashing),
  // skipping full ones. A client keeps its slot while that slot serves; when it does not, the
  // client's next-ranked slot takes it, and only that client's share moves.
  static std::optional<size_t> Sticky(uint64_t client,
                                      std::span<const PickCandidate> candidates) noexcept;

 private:
  int next_slot_ = 0;  // where the turn among equals resumes
};

// A stable key for a client address: IPv4 and IPv4-mapped IPv6 give the same key; the port is
// left out (one client, many connections).
uint64_t ClientKey(const sockaddr_storage& address) noexcept;

}  // namespace ringleader
