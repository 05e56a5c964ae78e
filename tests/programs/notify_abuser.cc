// notify_abuser: a child that misuses $NOTIFY_SOCKET, then behaves, for the supervisor's
// notify-socket defences.
//
//   LISTEN_FDS=1 LISTEN_PID=<its pid> NOTIFY_SOCKET=... notify_abuser MODE...
//
// Runs each MODE in order, then serves exactly as notify_server does (READY=1, heartbeats,
// drain on SIGTERM), so a supervisor must still see its sane READY=1 afterwards.
//   garbage    non-UTF-8 bytes, NULs, lines without '=', unknown keys, an empty datagram, a
//              60 KB STATUS=, and a datagram carrying an fd (SCM_RIGHTS) nobody asked for
//   flood      100,000 WATCHDOG=1 datagrams as fast as it can (MSG_DONTWAIT, EAGAIN ignored)
//   other-pid  READY=1 with SCM_CREDENTIALS claiming pid 1. Only root (CAP_SYS_ADMIN) may claim
//              another pid; anyone else gets EPERM and nothing is sent (noted on stderr)
// Every mode reports what it did in one stderr line ("notify_abuser: flood: sent N, refused M").
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "tests/programs/notify_client.h"
#include "tests/programs/serve_loop.h"

namespace {

constexpr int kFloodDatagrams = 100'000;

void SendGarbage(const mini::NotifyClient& notify) {
  using namespace std::string_view_literals;
  const std::string_view messages[] = {"\xff\xfe\x00\x01READY=1"sv, "no equals sign"sv, "=1"sv,
                                       "READY"sv, "WATCHDOG=2"sv, "MAINPID=1"sv,
                                       "NOT_A_KEY=1\n\n\n"sv, ""sv};
  int failed = 0;
  for (const std::string_view message : messages) failed += notify.Send(message) != 0;
  failed += notify.Send("STATUS=" + std::string(60'000, 'x')) != 0;
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  failed += notify.SendWithFd("STATUS=with an fd", null_fd) != 0;
  ::close(null_fd);
  std::fprintf(stderr, "notify_abuser: garbage: sent %zu, failed %d\n",
               std::size(messages) + 2 - failed, failed);
}

void Flood(const mini::NotifyClient& notify) {
  int sent = 0;
  int refused = 0;
  for (int i = 0; i < kFloodDatagrams; ++i) {
    (notify.Send("WATCHDOG=1", MSG_DONTWAIT) == 0 ? sent : refused) += 1;
  }
  std::fprintf(stderr, "notify_abuser: flood: sent %d, refused %d\n", sent, refused);
}

void ClaimOtherPid(const mini::NotifyClient& notify) {
  const int error = notify.SendAs("READY=1", 1);
  std::fprintf(stderr, "notify_abuser: other-pid: %s\n",
               error == 0 ? "sent READY=1 as pid 1"
                          : (std::string("refused (") + std::strerror(error) +
                             "; claiming another pid needs root)").c_str());
}

}  // namespace

int main(int argc, char** argv) {
  {
    std::optional<mini::NotifyClient> notify = mini::NotifyClient::FromEnv("notify_abuser");
    if (!notify) return 1;
    for (int i = 1; i < argc; ++i) {
      const std::string_view mode = argv[i];
      if (mode == "garbage") {
        SendGarbage(*notify);
      } else if (mode == "flood") {
        Flood(*notify);
      } else if (mode == "other-pid") {
        ClaimOtherPid(*notify);
      } else {
        std::fprintf(stderr, "usage: notify_abuser [garbage|flood|other-pid]...\n");
        return 2;
      }
    }
  }
  return mini::Serve({.program = "notify_abuser", .notify = true});
}
