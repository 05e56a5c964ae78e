// AcceptWatch: notices an armed accept that misses its wake-up, so its owner can re-arm it.
//
// When several processes wait to accept on one socket, the kernel wakes one of them per new
// connection. If that one's accept is being cancelled at that moment (a worker starting to drain,
// the primary handing a reuseport slot back), the wake-up is spent and the connection waits in
// the queue until the next one arrives — which, at the end of a burst, may be never. Checked on
// a coarse tick: a listener that had connections waiting at two checks in a row, while this
// accept took none, is stalled. Cancelling and re-arming retries the accept at once.
//
//   if (accept_op.in_flight() && watch.Stalled(listen_fd, stats.connections_accepted)) {
//     ring.Cancel(accept_op);   // its final completion re-arms it
//   }
#pragma once

#include <cstdint>

namespace ringleader {

class AcceptWatch {
 public:
  // `accepted` counts this owner's accepts so far. True at most once per stall.
  bool Stalled(int listen_fd, uint64_t accepted) noexcept;

 private:
  uint64_t accepted_at_last_check_ = 0;
  int checks_waiting_ = 0;
};

// Whether a listening socket has connections waiting to be accepted (a zero-timeout poll).
bool ListenerHasWaiting(int listen_fd) noexcept;

}  // namespace ringleader
