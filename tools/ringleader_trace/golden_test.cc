// ringleader-trace, the binary, on the traces committed in tests/traces (written by real runs of
// ringleader; the tampered ones edited by hand from them):
//   - golden timelines and summaries: a clean rolling restart of 8 workers, a crash loop with
//     backoff that parks its slot, a watchdog kill, a drain timeout;
//   - --check passes on the real traces and fails on tampered ones, at the right line;
//   - bad input: --check fails, the other modes skip the line and say so;
//   - --svg writes well-formed XML (xmllint) with one row per worker generation, and the
//     README's example.svg is what the tool draws today;
//   - `-` follows stdin: a worker's block is printed as soon as it is dead.
//
// After an intended change of output: RINGLEADER_UPDATE_GOLDENS=1 ctest -R ringleader_trace_golden
// rewrites the expected files; review them with git diff.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fsm/trace.h"
#include "tools/ringleader_trace/run_tool.h"

namespace ringleader::trace_tool {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

bool Updating() { return std::getenv("RINGLEADER_UPDATE_GOLDENS") != nullptr; }

// Compares `actual` with the committed file (or rewrites it when updating).
void ExpectGolden(const std::string& actual, const std::string& path) {
  if (Updating()) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
    return;
  }
  const std::string expected = ReadFileOrEmpty(path);
  ASSERT_FALSE(expected.empty()) << path << " is missing (RINGLEADER_UPDATE_GOLDENS=1 writes it)";
  EXPECT_EQ(actual, expected) << "differs from " << path;
}

// Distinct (slot, generation, pid) in a trace file: the rows an SVG must have.
int Generations(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::set<std::tuple<int, uint32_t, int>> seen;
  while (std::getline(in, line)) {
    auto r = ParseTraceLine(line);
    if (r.ok()) seen.insert({r->slot, r->generation, r->pid});
  }
  return static_cast<int>(seen.size());
}

class GoldenTraceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenTraceTest, TimelineMatches) {
  const std::string name = GetParam();
  const ToolResult r = RunTool(TraceToolPath(), {TracePath(name + ".trace")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ExpectGolden(r.out, TracePath(name + ".timeline.txt"));
}

TEST_P(GoldenTraceTest, SummaryMatches) {
  const std::string name = GetParam();
  const ToolResult r = RunTool(TraceToolPath(), {"--summary", TracePath(name + ".trace")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden(r.out, TracePath(name + ".summary.txt"));
}

TEST_P(GoldenTraceTest, CheckPasses) {
  const std::string name = GetParam();
  const ToolResult r = RunTool(TraceToolPath(), {"--check", TracePath(name + ".trace")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith("check: OK"));
}

INSTANTIATE_TEST_SUITE_P(CommittedTraces, GoldenTraceTest,
                         ::testing::Values("rolling_restart_8", "rolling_restart_8_load",
                                           "crash_loop", "watchdog", "drain_timeout"));

// What the goldens must say, spelled out, so a careless golden update cannot hide a regression.
TEST(GoldenContentTest, SummariesSayWhatHappened) {
  const auto summary = [](const char* name) {
    return RunTool(TraceToolPath(), {"--summary", TracePath(absl::StrCat(name, ".trace"))}).out;
  };
  const std::string rollout = summary("rolling_restart_8");
  EXPECT_THAT(rollout, HasSubstr("restarts by cause: rolling restart 8"));
  EXPECT_THAT(rollout, HasSubstr("8 of 8 slots replaced"));
  EXPECT_THAT(rollout, HasSubstr("serving: 8 before, 8 at worst"));
  const std::string loop = summary("crash_loop");
  EXPECT_THAT(loop, HasSubstr("slot 0: 3 quick deaths (gen 2-4)"));
  EXPECT_THAT(loop, HasSubstr("then parked"));
  EXPECT_THAT(loop, HasSubstr("slot 0 parked at"));
  const std::string watchdog = summary("watchdog");
  EXPECT_THAT(watchdog, HasSubstr("restarts by cause: watchdog 1"));
  EXPECT_THAT(watchdog, HasSubstr("watchdog kill 1"));
  EXPECT_THAT(watchdog,
              ::testing::ContainsRegex("replacement \\(exit -> next gen listening\\) +1 "));
  const std::string timeline = RunTool(TraceToolPath(), {TracePath("watchdog.trace")}).out;
  EXPECT_THAT(timeline, HasSubstr("killed by the watchdog (no heartbeat for 1185 ms), SIGKILL; "
                                  "restart now"));
  EXPECT_THAT(RunTool(TraceToolPath(), {TracePath("drain_timeout.trace")}).out,
              HasSubstr("killed after the drain timeout, SIGKILL"));
}

struct Tampered {
  const char* name;
  int first_bad_line;
  const char* says;
};

class TamperedTraceTest : public ::testing::TestWithParam<Tampered> {};

TEST_P(TamperedTraceTest, CheckFailsAtTheRightLine) {
  const Tampered t = GetParam();
  const ToolResult r =
      RunTool(TraceToolPath(), {"--check", TracePath(absl::StrCat(t.name, ".trace"))});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, StartsWith(absl::StrCat("line ", t.first_bad_line, ": ", t.says)));
  EXPECT_THAT(r.out, HasSubstr("check: FAILED"));
  ExpectGolden(r.out, TracePath(absl::StrCat(t.name, ".check.txt")));
}

INSTANTIATE_TEST_SUITE_P(
    HandEdited, TamperedTraceTest,
    ::testing::Values(
        // rolling_restart_8 without line 41 (slot 3 gen 2 forking → online).
        Tampered{"tampered_skipped_state", 41, "pid 19454 moves from online but is in forking"},
        // watchdog with line 10's time set 5 ms before line 9's.
        Tampered{"tampered_time_backwards", 10, "time goes backwards"},
        // watchdog with line 11's "listening" renamed "serving".
        Tampered{"tampered_unknown_state", 11, "unreadable record: unknown state \"serving\""},
        // watchdog with line 5 replaced by prose and the last line cut in half.
        Tampered{"broken", 5, "unreadable record: not valid JSON"}));

TEST(BadInputTest, CheckNamesTheTruncatedLine) {
  const ToolResult r = RunTool(TraceToolPath(), {"--check", TracePath("broken.trace")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out,
              HasSubstr("line 15: unreadable record: truncated: the file ends inside this line"));
}

TEST(BadInputTest, OtherModesSkipTheLineAndSaySo) {
  for (const std::vector<std::string>& mode :
       {std::vector<std::string>{}, std::vector<std::string>{"--summary"}}) {
    std::vector<std::string> args = mode;
    args.push_back(TracePath("broken.trace"));
    const ToolResult r = RunTool(TraceToolPath(), args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("line 5: skipped: not valid JSON"));
    EXPECT_THAT(r.err, HasSubstr("line 15: skipped: truncated"));
    // The rest is still there.
    EXPECT_THAT(r.out, HasSubstr(mode.empty() ? "slot 1  gen 1  pid 19592" : "trace: 13 records"));
  }
  const ToolResult unknown = RunTool(TraceToolPath(), {TracePath("tampered_unknown_state.trace")});
  EXPECT_EQ(unknown.exit_code, 0);
  EXPECT_THAT(unknown.err, HasSubstr("line 11: skipped: unknown state \"serving\""));
  EXPECT_THAT(RunTool(TraceToolPath(), {"--summary", TracePath("broken.trace")}).out,
              HasSubstr("skipped: 2 unreadable lines"));
}

TEST(UsageTest, ExitCodes) {
  EXPECT_EQ(RunTool(TraceToolPath(), {}).exit_code, 2);
  const ToolResult missing = RunTool(TraceToolPath(), {"/nonexistent/x.trace"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot open /nonexistent/x.trace"));
  const ToolResult bad_flag = RunTool(TraceToolPath(), {"--bogus", "x"});
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_THAT(bad_flag.err, HasSubstr("usage: ringleader-trace"));
  const ToolResult help = RunTool(TraceToolPath(), {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--summary"));
  const ToolResult unwritable =
      RunTool(TraceToolPath(), {"--svg", "/nonexistent/dir/x.svg", TracePath("watchdog.trace")});
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_THAT(unwritable.err, HasSubstr("cannot write /nonexistent/dir/x.svg"));
}

TEST(UsageTest, CheckAllowsNamedLivePids) {
  // watchdog.trace without its last line leaves pid 19604 draining: fine only if it is alive.
  std::string text = ReadFileOrEmpty(TracePath("watchdog.trace"));
  text.resize(text.rfind('\n', text.size() - 2) + 1);  // drop the last exit
  const std::string cut = absl::StrCat(::testing::TempDir(), "/cut.trace");
  std::ofstream(cut) << text;
  EXPECT_EQ(RunTool(TraceToolPath(), {"--check", cut}).exit_code, 1);
  EXPECT_EQ(RunTool(TraceToolPath(), {"--check", "--alive=19604", cut}).exit_code, 0);
}

bool HaveXmllint() { return ::access("/usr/bin/xmllint", X_OK) == 0; }

TEST(SvgFileTest, WellFormedWithOneRowPerWorkerGeneration) {
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed (libxml2-utils)";
  for (const char* name : {"rolling_restart_8", "rolling_restart_8_load", "crash_loop", "watchdog",
                           "drain_timeout", "broken"}) {
    SCOPED_TRACE(name);
    const std::string trace = TracePath(absl::StrCat(name, ".trace"));
    const std::string svg = absl::StrCat(::testing::TempDir(), "/", name, ".svg");
    const ToolResult r = RunTool(TraceToolPath(), {"--svg", svg, trace});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const ToolResult lint = RunTool("/usr/bin/xmllint", {"--noout", svg});
    EXPECT_EQ(lint.exit_code, 0) << lint.err;
    const ToolResult rows =
        RunTool("/usr/bin/xmllint", {"--xpath", "count(//*[local-name()='g'][@class='row'])", svg});
    ASSERT_EQ(rows.exit_code, 0) << rows.err;
    int count = -1;
    EXPECT_TRUE(absl::SimpleAtoi(rows.out, &count)) << rows.out;
    EXPECT_EQ(count, Generations(trace));
  }
  EXPECT_EQ(Generations(TracePath("rolling_restart_8.trace")), 16);
}

// The README shows tools/ringleader_trace/example.svg: it must be what the tool draws now.
TEST(SvgFileTest, ReadmeExampleIsCurrent) {
  const std::string svg = absl::StrCat(::testing::TempDir(), "/example.svg");
  ASSERT_EQ(
      RunTool(TraceToolPath(), {"--svg", svg, TracePath("rolling_restart_8_load.trace")}).exit_code,
      0);
  const char* dir = std::getenv("RINGLEADER_SOURCE_DIR");
  ExpectGolden(ReadFileOrEmpty(svg),
               absl::StrCat(dir != nullptr ? dir : ".", "/tools/ringleader_trace/example.svg"));
}

// `tail -f trace | ringleader-trace -`: a worker's block appears once it is dead, while the
// input is still open; the rest (workers still alive) at the end of the input.
TEST(FollowTest, PrintsEachWorkerWhenItDies) {
  const std::string text = ReadFileOrEmpty(TracePath("watchdog.trace"));
  std::vector<std::string> lines;
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find('\n', at);
    lines.push_back(text.substr(at, end - at + 1));
    at = end + 1;
  }
  ASSERT_EQ(lines.size(), 15u);
  auto follower = ToolProcess::Start(TraceToolPath(), {"-"}, ToolProcess::kStdinPipe);
  ASSERT_TRUE(follower.ok()) << follower.status();
  ToolProcess& p = **follower;
  for (size_t i = 0; i < 8; ++i) ASSERT_TRUE(p.WriteStdin(lines[i]));  // line 8: pid 19591 dies
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (p.Stdout().find("ended +2.004s") == std::string::npos && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const std::string early = p.Stdout();
  EXPECT_THAT(early, HasSubstr("slot 0  gen 1  pid 19591"));
  EXPECT_THAT(early, Not(HasSubstr("pid 19592")));  // alive: not printed yet
  for (size_t i = 8; i < lines.size(); ++i) ASSERT_TRUE(p.WriteStdin(lines[i]));
  p.CloseStdin();
  const ToolResult r = p.Wait(absl::Seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pid 19592"));
  EXPECT_THAT(r.out, HasSubstr("pid 19604"));
}

TEST(FollowTest, CheckReadsStdinToo) {
  const ToolResult r =
      RunTool(TraceToolPath(), {"--check", "-"}, TracePath("tampered_time_backwards.trace"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("line 10: time goes backwards"));
}

}  // namespace
}  // namespace ringleader::trace_tool
