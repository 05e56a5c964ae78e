// Integration: the real ringleader-ctl binary against the real ringleader primary — status lists
// the real worker pids, scale adds workers, send reaches every worker, stop ends the cluster with
// exit 0, a missing server is one sentence and exit 1, and monit (in a tmux pseudo-terminal)
// shows the real workers and quits on q. tools/ringleader_ctl/cli_test.cc covers the same binary
// against a fake server, byte for byte; this test checks the two ends agree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cluster/control_path.h"
#include "tests/support/ringleader_server.h"
#include "tests/support/test_process.h"
#include "tools/ringleader_trace/run_tool.h"

namespace ringleader::testing {
namespace {

using trace_tool::ReadFileOrEmpty;
using trace_tool::RunTool;
using trace_tool::ToolResult;

ToolResult Ctl(int port, std::vector<std::string> args) {
  args.insert(args.begin(), absl::StrCat("--port=", port));
  return RunTool(BinaryPath("ringleader-ctl"), args, "", absl::Seconds(10));
}

// The pids of the status table's rows in state `state`: a row is "slot pid gen state ...".
std::set<long> TablePidsIn(const std::string& table, const std::string& state) {
  std::set<long> pids;
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    std::istringstream row{std::string(line)};
    long slot = -1, pid = -1, gen = -1;
    std::string row_state;
    if (row >> slot >> pid >> gen >> row_state && row_state == state) pids.insert(pid);
  }
  return pids;
}

std::set<long> Children(RingleaderServer& server) {
  const auto c = server.process().Children();
  return std::set<long>(c.begin(), c.end());
}

TEST(CtlAgainstRingleader, StatusPrintsOneListeningRowPerWorkerWithTheRealPids) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const ToolResult r = Ctl(server->port(), {"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(absl::StartsWith(
      r.out, absl::StrCat("primary pid ", server->process().pid(), ", sched ")))
      << r.out;
  const std::set<long> workers = Children(*server);
  ASSERT_EQ(workers.size(), 2u);
  EXPECT_EQ(TablePidsIn(r.out, "listening"), workers) << r.out;
}

TEST(CtlAgainstRingleader, ScaleThreeEndsWithThreeListeningRows) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const ToolResult scale = Ctl(server->port(), {"scale", "3"});
  ASSERT_EQ(scale.exit_code, 0) << scale.err;
  EXPECT_EQ(scale.out, "scale: 3 workers\n");
  std::string last;
  const bool three = Eventually(absl::Seconds(15), [&] {
    const ToolResult r = Ctl(server->port(), {"status"});
    last = r.out;
    return r.exit_code == 0 && TablePidsIn(r.out, "listening").size() == 3 &&
           TablePidsIn(r.out, "listening") == Children(*server);
  });
  EXPECT_TRUE(three) << last;
}

TEST(CtlAgainstRingleader, SendReachesEveryWorker) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const ToolResult r = Ctl(server->port(), {"send", R"({"type":"NOTE"})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "send: delivered to 2 workers\n");
}

TEST(CtlAgainstRingleader, StopExitsZeroAndTheServerExitsZero) {
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const ToolResult r = Ctl(server->port(), {"stop"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "stop: the cluster is draining and will exit\n");
  EXPECT_EQ(server->process().WaitExit(absl::Seconds(15)), 0) << server->process().Stderr();
}

TEST(CtlAgainstRingleader, StatusAfterTheServerIsGoneIsOneSentenceAndExit1) {
  int port = 0;
  {
    auto server = RingleaderServer::Start({"--workers=1"});
    ASSERT_TRUE(server.ok()) << server.status();
    port = server->port();
    ASSERT_EQ(Ctl(port, {"stop"}).exit_code, 0);
    ASSERT_EQ(server->process().WaitExit(absl::Seconds(15)), 0);
  }
  const ToolResult r = Ctl(port, {"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("ringleader-ctl: no ringleader is listening on ",
                                DefaultControlPath(static_cast<uint16_t>(port)),
                                " (is it running with --port=", port, "?)\n"));
  EXPECT_EQ(r.out, "");
}

// A tmux session for one test, killed when the test ends whatever happened.
class TmuxSession {
 public:
  explicit TmuxSession(std::string name) : name_(std::move(name)) {}
  ~TmuxSession() { (void)std::system(absl::StrCat("tmux kill-session -t ", name_, " 2>/dev/null").c_str()); }
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  bool Start(const std::string& shell_command) const {
    return std::system(absl::StrCat("tmux new-session -d -s ", name_, " -x 120 -y 30 \"",
                                    shell_command, "\"")
                           .c_str()) == 0;
  }
  std::string Capture() const {
    const std::string file = absl::StrCat("/tmp/ringleader-ctl-test-", ::getpid(), ".screen");
    (void)std::system(absl::StrCat("tmux capture-pane -p -t ", name_, " > ", file).c_str());
    std::string screen = ReadFileOrEmpty(file);
    ::unlink(file.c_str());
    return screen;
  }
  void SendKeys(const std::string& keys) const {
    (void)std::system(absl::StrCat("tmux send-keys -t ", name_, " ", keys).c_str());
  }

 private:
  std::string name_;
};

// True when `screen` has a line naming `pid` as a listening worker.
bool ScreenShowsListening(const std::string& screen, long pid) {
  const std::string pid_word = absl::StrCat(" ", pid, " ");
  for (absl::string_view line : absl::StrSplit(screen, '\n')) {
    if (absl::StrContains(line, pid_word) && absl::StrContains(line, "listening")) return true;
  }
  return false;
}

TEST(CtlAgainstRingleader, MonitInTmuxShowsTheRealWorkersAndQuitsOnQ) {
  if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux not installed";
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::set<long> workers = Children(*server);
  ASSERT_EQ(workers.size(), 2u);
  const std::string exit_file = absl::StrCat("/tmp/ringleader-ctl-test-", ::getpid(), ".exit");
  ::unlink(exit_file.c_str());
  const TmuxSession tmux(absl::StrCat("ctlreal", ::getpid()));
  ASSERT_TRUE(tmux.Start(absl::StrCat(BinaryPath("ringleader-ctl"), " --port=", server->port(),
                                      " monit; echo \\$? > ", exit_file, "; sleep 30")));
  std::string screen;
  const bool rows = Eventually(absl::Seconds(10), [&] {
    screen = tmux.Capture();
    for (long pid : workers) {
      if (!ScreenShowsListening(screen, pid)) return false;
    }
    return true;
  });
  EXPECT_TRUE(rows) << screen;
  tmux.SendKeys("q");
  std::string exit_code;
  Eventually(absl::Seconds(5), [&] {
    exit_code = ReadFileOrEmpty(exit_file);
    return !exit_code.empty();
  });
  EXPECT_EQ(exit_code, "0\n") << tmux.Capture();
  ::unlink(exit_file.c_str());
}

}  // namespace
}  // namespace ringleader::testing
