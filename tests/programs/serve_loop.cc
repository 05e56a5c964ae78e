// Serve: heartbeats, the SIGTERM signalfd and the drain deadline around MiniHttp.
#include "tests/programs/serve_loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "tests/programs/mini_http.h"
#include "tests/programs/notify_client.h"

namespace mini {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kDefaultBeat{200};
constexpr milliseconds kDrainLimit{5000};
constexpr int kStatusEveryBeats = 10;

// Half the watchdog period systemd (or ringleader) announces, as sd_watchdog_enabled advises.
milliseconds BeatInterval() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  const long long value = usec == nullptr ? 0 : std::strtoll(usec, nullptr, 10);
  if (value <= 0) return kDefaultBeat;
  return std::max(milliseconds(1), milliseconds(value / 2000));
}

// SIGTERM as a readable fd in the poll set: no handler, no global flag.
int BlockAndOpenSigterm() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  return ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int Milliseconds(Clock::duration d) {
  return static_cast<int>(std::max<long long>(
      0, std::chrono::duration_cast<milliseconds>(d).count()));
}

[[noreturn]] void HangForever(const char* program, int beats) {
  std::fprintf(stderr, "%s: hanging after %d heartbeats\n", program, beats);
  for (;;) ::pause();  // SIGTERM is blocked: only SIGKILL ends this
}

}  // namespace

int Serve(const ServeOptions& options) {
  const int listen_fd = TakeSystemdListenFd(options.program);
  if (listen_fd < 0) return 1;
  const int sigterm = BlockAndOpenSigterm();
  if (sigterm < 0) {
    std::perror("signalfd");
    return 1;
  }
  // Without a reachable NOTIFY_SOCKET it still serves: the supervisor's readiness check decides.
  std::optional<NotifyClient> notify =
      options.notify ? NotifyClient::FromEnv(options.program) : std::nullopt;
  auto say = [&notify](const std::string& message) {
    if (notify) notify->Send(message);
  };

  MiniHttp http(listen_fd);
  say("READY=1");
  const milliseconds beat = BeatInterval();
  Clock::time_point next_beat = Clock::now() + beat;
  // Heartbeats go on while draining: a supervisor's watchdog still watches a stopping child.
  Clock::time_point drain_deadline = Clock::time_point::max();
  int beats = 0;
  while (!http.drained()) {
    const Clock::time_point now = Clock::now();
    if (now >= drain_deadline) break;
    if (now >= next_beat) {
      if (options.hang_after_beats >= 0 && beats >= options.hang_after_beats) {
        HangForever(options.program, beats);
      }
      say("WATCHDOG=1");
      if (++beats % kStatusEveryBeats == 0) {
        say("STATUS=serving " + std::to_string(http.requests_served()) + " requests");
      }
      next_beat = now + beat;
    }
    const bool stopping = drain_deadline != Clock::time_point::max();
    const Clock::time_point wake = std::min(next_beat, drain_deadline);
    if (http.PollOnce(Milliseconds(wake - now), stopping ? -1 : sigterm)) {
      say("STOPPING=1");
      http.BeginStop();
      drain_deadline = Clock::now() + kDrainLimit;
    }
  }
  ::close(sigterm);
  return 0;
}

}  // namespace mini
