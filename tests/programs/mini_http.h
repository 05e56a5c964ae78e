// MiniHttp: the tiny HTTP/1.1 keep-alive responder the `ringleader exec` test programs share,
// written against libc only so that the programs stand for "any program" (they link no
// ringleader library). One poll() loop over the listener and every connection; requests carry
// no body.
//
//   int listener = TakeSystemdListenFd("plain_server");   // fd 3, or -1 with the reason printed
//   MiniHttp http(listener);
//   while (!http.drained()) {
//     if (http.PollOnce(/*timeout_ms=*/200, signal_fd)) http.BeginStop();   // SIGTERM arrived
//   }
//
// Routes: `GET /` → 200 {"pid":PID}; `GET /health` → 200 "ok", or 503 "stopping" once
// BeginStop() ran; anything else → 404. Once stopping, every answer carries Connection: close.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mini {

// The listening socket handed over by the systemd socket-activation protocol: fd 3 when
// LISTEN_FDS=1 and LISTEN_PID is this process. Otherwise prints why (naming `program`) and
// returns -1. The fd is made non-blocking.
int TakeSystemdListenFd(const char* program);

class MiniHttp {
 public:
  // Takes ownership of `listen_fd`, a listening stream socket.
  explicit MiniHttp(int listen_fd);
  ~MiniHttp();
  MiniHttp(const MiniHttp&) = delete;
  MiniHttp& operator=(const MiniHttp&) = delete;

  // One poll() turn of at most `timeout_ms`: accepts (unless stopping), reads, answers whole
  // requests, writes what the sockets take. `watch_fd` (or -1) is polled as well; returns true
  // when it is readable, for the caller to act on (a signalfd).
  bool PollOnce(int timeout_ms, int watch_fd);
  // Stops accepting (closes the listener). Each keep-alive connection then ends on its next
  // answer, which says Connection: close, or after kIdleGrace of silence. Idempotent.
  void BeginStop();
  // True once stopping and every connection has been answered and closed.
  bool drained() const { return stopping_ && connections_.empty(); }
  uint64_t requests_served() const { return requests_served_; }
  size_t connections() const { return connections_.size(); }

 private:
  struct Connection {
    int fd = -1;
    std::string in;   // bytes of requests not answered yet
    std::string out;  // response bytes the socket has not taken yet
    bool close_after_out = false;
    std::chrono::steady_clock::time_point last_active;
  };
  // How long a draining server keeps a silent keep-alive connection (see PollOnce).
  static constexpr std::chrono::milliseconds kIdleGrace{500};

  void Accept();
  // False when the connection is over (peer closed, error, or answered-and-closing).
  bool OnReadable(Connection& connection);
  bool Flush(Connection& connection);
  void Answer(Connection& connection);
  bool Idle(const Connection& connection) const;

  int listen_fd_ = -1;
  bool stopping_ = false;
  uint64_t requests_served_ = 0;
  std::vector<Connection> connections_;
};

}  // namespace mini
