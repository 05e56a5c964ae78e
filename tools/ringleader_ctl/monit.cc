// The monit loop: one poll() over the keyboard, a signalfd and the trace connection, with a
// timeout that lands on the next status poll.
#include "tools/ringleader_ctl/monit.h"

#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "fsm/trace.h"
#include "tools/ringleader_ctl/client.h"
#include "tools/ringleader_ctl/format.h"
#include "tools/ringleader_ctl/monit_screen.h"
#include "tools/ringleader_ctl/options.h"
#include "tools/ringleader_ctl/reply.h"

namespace ringleader::ctl {
namespace {

constexpr absl::Duration kRefresh = absl::Seconds(1);
constexpr absl::Duration kStatusTimeout = absl::Milliseconds(900);

void WriteAll(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

void Draw(const MonitView& view) {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_row == 0) {
    size.ws_row = 24;
    size.ws_col = 80;
  }
  std::string frame = "\x1b[H";
  const std::vector<std::string> lines = RenderMonit(view, size.ws_row, size.ws_col);
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StrAppend(&frame, lines[i], "\x1b[K", i + 1 < lines.size() ? "\r\n" : "");
  }
  WriteAll(frame);
}

// The trace connection, past its {"ok":true}.
absl::StatusOr<ControlClient> OpenTrace(const std::string& path, const std::string& how) {
  absl::StatusOr<ControlClient> client = ControlClient::Connect(path, how);
  if (!client.ok()) return client.status();
  absl::StatusOr<std::string> reply = client->Request("{\"cmd\":\"trace\"}\n", absl::Seconds(2));
  if (!reply.ok()) return reply.status();
  if (absl::StatusOr<Reply> r = ParseReply(*reply); !r.ok()) return r.status();
  return client;
}

}  // namespace

int RunMonit(const std::string& control_path, const std::string& how_started) {
  termios saved{};
  if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO) ||
      ::tcgetattr(STDIN_FILENO, &saved) != 0) {
    std::cerr << "ringleader-ctl: monit needs a terminal (use status or trace --follow in "
                 "scripts)\n";
    return kExitFailed;
  }
  sigset_t signals, old_mask;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGWINCH}) sigaddset(&signals, s);
  ::sigprocmask(SIG_BLOCK, &signals, &old_mask);
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  absl::Cleanup restore_signals = [&] {
    if (signal_fd >= 0) ::close(signal_fd);
    ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  };
  if (signal_fd < 0) {
    std::cerr << "ringleader-ctl: signalfd: " << std::strerror(errno) << "\n";
    return kExitFailed;
  }
  termios raw = saved;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);  // ISIG stays: Ctrl-C quits too
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0) {
    std::cerr << "ringleader-ctl: cannot set the terminal to raw mode: " << std::strerror(errno)
              << "\n";
    return kExitFailed;
  }
  WriteAll("\x1b[?1049h\x1b[?25l\x1b[2J");
  absl::Cleanup restore_terminal = [&] {
    WriteAll("\x1b[?25h\x1b[?1049l");
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  };

  MonitView view;
  view.control_path = control_path;
  std::deque<std::string> events;
  std::string status_problem, trace_problem;
  std::optional<ControlClient> trace;
  TraceParser parser;
  absl::Time next_poll = absl::Now();
  while (true) {
    const absl::Time now = absl::Now();
    if (now >= next_poll) {
      next_poll = now + kRefresh;
      absl::StatusOr<ClusterStatus> status = [&]() -> absl::StatusOr<ClusterStatus> {
        absl::StatusOr<ControlClient> client = ControlClient::Connect(control_path, how_started);
        if (!client.ok()) return client.status();
        absl::StatusOr<std::string> reply =
            client->Request("{\"cmd\":\"status\"}\n", kStatusTimeout);
        if (!reply.ok()) return reply.status();
        return ParseStatusReply(*reply);
      }();
      status_problem = status.ok() ? "" : std::string(status.status().message());
      if (status.ok()) view.status = *std::move(status);
      // (Re)open the trace stream while the server answers.
      if (status_problem.empty() && !trace.has_value()) {
        absl::StatusOr<ControlClient> opened = OpenTrace(control_path, how_started);
        trace_problem = opened.ok() ? "" : absl::StrCat("trace: ", opened.status().message());
        if (opened.ok()) trace.emplace(*std::move(opened));
      }
    }
    // Drain the trace connection.
    while (trace.has_value()) {
      pollfd p{.fd = trace->fd(), .events = POLLIN, .revents = 0};
      if (!trace->HasBufferedLine() && ::poll(&p, 1, 0) <= 0) break;
      absl::StatusOr<std::optional<std::string>> line = trace->ReadLine(absl::ZeroDuration());
      if (!line.ok() || !line->has_value()) {
        trace_problem = line.ok() ? "trace: the server closed the stream"
                                  : absl::StrCat("trace: ", line.status().message());
        trace.reset();
        break;
      }
      absl::StatusOr<TraceRecord> record = parser.Parse(**line);
      events.push_back(record.ok() ? FormatEvent(*record, absl::Now(), absl::LocalTimeZone())
                                   : absl::StrCat("(unreadable trace line: ", **line, ")"));
      while (events.size() > kMonitEvents) events.pop_front();
    }
    view.events.assign(events.begin(), events.end());
    std::vector<std::string> problems;
    for (const std::string* p : {&status_problem, &trace_problem}) {
      if (!p->empty()) problems.push_back(*p);
    }
    view.problem = absl::StrJoin(problems, "; ");
    Draw(view);

    pollfd fds[3] = {{.fd = STDIN_FILENO, .events = POLLIN, .revents = 0},
                     {.fd = signal_fd, .events = POLLIN, .revents = 0},
                     {.fd = trace.has_value() ? trace->fd() : -1, .events = POLLIN, .revents = 0}};
    const int wait_ms = static_cast<int>(
        absl::ToInt64Milliseconds(std::max(next_poll - absl::Now(), absl::ZeroDuration())) + 1);
    if (::poll(fds, 3, wait_ms) < 0 && errno != EINTR) return kExitFailed;
    if (fds[0].revents & (POLLHUP | POLLERR)) return kExitOk;  // the terminal went away
    if (fds[0].revents & POLLIN) {
      char keys[64];
      const ssize_t n = ::read(STDIN_FILENO, keys, sizeof(keys));
      if (n <= 0) return kExitOk;
      if (std::string_view(keys, static_cast<size_t>(n)).find_first_of("qQ") !=
          std::string_view::npos) {
        return kExitOk;
      }
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signal_fd, &info, sizeof(info)) == sizeof(info) && info.ssi_signo != SIGWINCH) {
        return kExitOk;
      }
    }
  }
}

}  // namespace ringleader::ctl
