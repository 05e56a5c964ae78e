// The ringleader-ctl binary against a fake control server (fake_server.h): the status table,
// --json passthrough, the actions' requests and replies, trace, and every error path. monit runs
// in a tmux pseudo-terminal when tmux is installed.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/absl_bridge.h"
#include "gtest/gtest.h"
#include "cluster/control_path.h"
#include "tools/ringleader_ctl/fake_server.h"
#include "tools/ringleader_ctl/format.h"
#include "tools/ringleader_ctl/reply.h"
#include "tools/ringleader_ctl/test_replies.h"
#include "tools/ringleader_trace/run_tool.h"

namespace ringleader::ctl {
namespace {

using trace_tool::RunTool;
using trace_tool::ToolResult;

std::string CtlPath() {
  const char* dir = std::getenv("RINGLEADER_BIN_DIR");
  return absl::StrCat(dir != nullptr ? dir : ".", "/ringleader-ctl");
}

std::string SocketPath(const char* name) {
  return absl::StrCat("/tmp/ringleader-ctl-test-", ::getpid(), "-", name, ".sock");
}

std::unique_ptr<FakeControlServer> Serve(const std::string& path, FakeReply reply) {
  auto server = FakeControlServer::Start(path, [reply](std::string_view) { return reply; });
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

ToolResult Ctl(const std::string& socket, std::vector<std::string> args) {
  args.insert(args.begin(), absl::StrCat("--control=", socket));
  return RunTool(CtlPath(), args, "", absl::Seconds(10));
}

TEST(CtlCliTest, StatusPrintsTheTable) {
  const std::string path = SocketPath("status");
  auto server = Serve(path, {.reply = absl::StrCat(kSampleStatus, "\n")});
  const ToolResult r = Ctl(path, {"status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, RenderStatusTable(*ParseStatusReply(kSampleStatus)));
  EXPECT_TRUE(absl::StartsWith(r.out, "primary pid 4242, sched reuseport, 4 workers")) << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(server->Requests(), std::vector<std::string>{"{\"cmd\":\"status\"}"});
}

TEST(CtlCliTest, StatusJsonIsTheRepliesLineAsIs) {
  const std::string path = SocketPath("json");
  auto server = Serve(path, {.reply = absl::StrCat(kSampleStatus, "\n")});
  const ToolResult r = Ctl(path, {"status", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(kSampleStatus, "\n"));
}

TEST(CtlCliTest, NoServerIsOneSentenceAndExit1) {
  const std::string path = SocketPath("nobody");
  ToolResult r = Ctl(path, {"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("ringleader-ctl: no ringleader is listening on ", path,
                                " (is it running with --control=", path, "?)\n"));
  EXPECT_EQ(r.out, "");
  // The default path names the port in its hint (port 1: nothing of ours listens there).
  r = RunTool(CtlPath(), {"--port=1", "reload"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("ringleader-ctl: no ringleader is listening on ",
                                DefaultControlPath(1), " (is it running with --port=1?)\n"));
}

TEST(CtlCliTest, ServerErrorIsPrintedAndExit1) {
  const std::string path = SocketPath("refuse");
  auto server =
      Serve(path, {.reply = "{\"ok\":false,\"error\":\"scale: 0 workers is not a cluster\"}\n"});
  ToolResult r = Ctl(path, {"scale", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ringleader-ctl: scale: 0 workers is not a cluster\n");
  EXPECT_EQ(server->Requests(), std::vector<std::string>{"{\"cmd\":\"scale\",\"workers\":0}"});
  // --json still prints the reply as is, and still exits 1.
  r = Ctl(path, {"status", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "{\"ok\":false,\"error\":\"scale: 0 workers is not a cluster\"}\n");
}

TEST(CtlCliTest, ActionsSayWhatHappened) {
  const std::string path = SocketPath("actions");
  auto server = FakeControlServer::Start(path, [](std::string_view request) {
    if (absl::StrContains(Absl(request), "\"scale\""))
      return FakeReply{.reply = "{\"ok\":true,\"workers\":3}\n"};
    if (absl::StrContains(Absl(request), "\"send\""))
      return FakeReply{.reply = "{\"ok\":true,\"delivered\":1}\n"};
    return FakeReply{.reply = "{\"ok\":true}\n"};
  });
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Ctl(path, {"scale", "3"}).out, "scale: 3 workers\n");
  EXPECT_EQ(Ctl(path, {"reload"}).out, "reload: rolling restart requested\n");
  const ToolResult sent = Ctl(path, {"send", R"({"type":"flush"})", "--to=2"});
  EXPECT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_EQ(sent.out, "send: delivered to 1 worker\n");
  EXPECT_EQ(Ctl(path, {"stop"}).out, "stop: the cluster is draining and will exit\n");
  EXPECT_EQ((*server)->Requests(),
            (std::vector<std::string>{"{\"cmd\":\"scale\",\"workers\":3}", "{\"cmd\":\"reload\"}",
                                      R"({"cmd":"send","message":{"type":"flush"},"to":2})",
                                      "{\"cmd\":\"stop\"}"}));
}

TEST(CtlCliTest, BrokenServersAreErrorsNotHangs) {
  const std::string path = SocketPath("broken");
  auto silent = Serve(path, {.reply = ""});
  ToolResult r = Ctl(path, {"reload"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, absl::StrCat("ringleader-ctl: the server at ", path,
                                " closed the connection without a reply\n"));
  silent.reset();
  auto junk = Serve(path, {.reply = "hello\n"});
  r = Ctl(path, {"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ringleader-ctl: malformed reply from the server: not JSON\n");
}

TEST(CtlCliTest, TracePrintsRecordsUntilTheStreamEnds) {
  const std::string path = SocketPath("trace");
  const std::string record =
      R"({"t_ns":5,"slot":1,"gen":2,"pid":77,"from":"online","to":"listening",)"
      R"("event":"listening_message","cause":""})";
  auto server = Serve(path, {.reply = "{\"ok\":true}\n",
                             .stream = {record + "\n", record + "\n"},
                             .interval = absl::Milliseconds(50)});
  ToolResult r = Ctl(path, {"trace", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, absl::StrCat(record, "\n", record, "\n"));
  r = Ctl(path, {"trace", "--follow"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "ringleader-ctl: the server closed the trace stream\n");
  EXPECT_TRUE(
      absl::StrContains(r.out, " slot 1 gen 2 pid 77 online -> listening (listening_message)\n"))
      << r.out;
}

TEST(CtlCliTest, TraceWithoutFollowStopsAfterASecond) {
  const std::string path = SocketPath("trace1s");
  auto server = Serve(path, {.reply = "{\"ok\":true}\n", .hold_open = true});
  const absl::Time start = absl::Now();
  const ToolResult r = Ctl(path, {"trace"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(CtlCliTest, PermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root connects to any socket";
  const std::string path = SocketPath("private");
  auto server = Serve(path, {.reply = "{\"ok\":true}\n"});
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const ToolResult r = Ctl(path, {"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StartsWith(r.err, absl::StrCat("ringleader-ctl: permission denied on ", path)))
      << r.err;
}

TEST(CtlCliTest, UsageErrorsExit2WithTheUsage) {
  ToolResult r = RunTool(CtlPath(), {"restart"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(absl::StartsWith(r.err, "ringleader-ctl: unknown command 'restart'\n\nusage: "))
      << r.err;
  r = RunTool(CtlPath(), {"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(absl::StartsWith(r.out, "usage: ringleader-ctl")) << r.out;
}

TEST(CtlCliTest, MonitNeedsATerminal) {
  const ToolResult r = RunTool(CtlPath(), {"--control=/nonexistent.sock", "monit"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(r.err, "monit needs a terminal")) << r.err;
}

// monit in a real pseudo-terminal: the worker rows and a trace event appear, q quits with 0 and
// the terminal is back (the alternate screen is left).
TEST(CtlCliTest, MonitInTmuxShowsWorkersAndQuitsOnQ) {
  if (std::system("command -v tmux >/dev/null 2>&1") != 0) GTEST_SKIP() << "tmux not installed";
  const std::string path = SocketPath("monit");
  const std::string record =
      R"({"t_ns":5,"slot":3,"gen":4,"pid":4304,"from":null,"to":"forking","event":"forked",)"
      R"("cause":"restart after crash"})";
  auto server = FakeControlServer::Start(path, [&](std::string_view request) {
    if (absl::StrContains(Absl(request), "\"trace\"")) {
      return FakeReply{.reply = "{\"ok\":true}\n", .stream = {record + "\n"}, .hold_open = true};
    }
    return FakeReply{.reply = absl::StrCat(kSampleStatus, "\n")};
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string session = absl::StrCat("ctltest", ::getpid());
  const std::string exit_file = absl::StrCat("/tmp/ringleader-ctl-test-", ::getpid(), ".exit");
  ::unlink(exit_file.c_str());
  const std::string command =
      absl::StrCat("tmux new-session -d -s ", session, " -x 100 -y 24 \"", CtlPath(),
                   " --control=", path, " monit; echo \\$? > ", exit_file, "; sleep 30\"");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string capture = absl::StrCat("/tmp/ringleader-ctl-test-", ::getpid(), ".screen");
  std::string screen;
  for (int i = 0; i < 100; ++i) {
    std::system(absl::StrCat("tmux capture-pane -p -t ", session, " > ", capture).c_str());
    screen = trace_tool::ReadFileOrEmpty(capture);
    if (absl::StrContains(screen, "restart after crash")) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(absl::StrContains(screen, "draining")) << screen;
  EXPECT_TRUE(absl::StrContains(screen, "pid 4304 forking (forked) restart after crash")) << screen;
  std::system(absl::StrCat("tmux send-keys -t ", session, " q").c_str());
  std::string exit_code;
  for (int i = 0; i < 100 && exit_code.empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    exit_code = trace_tool::ReadFileOrEmpty(exit_file);
  }
  std::system(absl::StrCat("tmux capture-pane -p -t ", session, " > ", capture).c_str());
  const std::string after = trace_tool::ReadFileOrEmpty(capture);
  std::system(absl::StrCat("tmux kill-session -t ", session).c_str());
  EXPECT_EQ(exit_code, "0\n");
  EXPECT_FALSE(absl::StrContains(after, "recent lifecycle events")) << after;  // screen restored
  ::unlink(exit_file.c_str());
  ::unlink(capture.c_str());
}

}  // namespace
}  // namespace ringleader::ctl
