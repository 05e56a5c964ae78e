// AcceptWatch: two checks with connections waiting and no progress make a stall.
#include "net/accept_watch.h"

#include <poll.h>

namespace ringleader {

bool ListenerHasWaiting(int listen_fd) noexcept {
  pollfd p{.fd = listen_fd, .events = POLLIN, .revents = 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0;
}

bool AcceptWatch::Stalled(int listen_fd, uint64_t accepted) noexcept {
  const bool progressed = accepted != accepted_at_last_check_;
  accepted_at_last_check_ = accepted;
  if (progressed || !ListenerHasWaiting(listen_fd)) {
    checks_waiting_ = 0;
    return false;
  }
  if (++checks_waiting_ < 2) return false;
  checks_waiting_ = 0;
  return true;
}

}  // namespace ringleader
