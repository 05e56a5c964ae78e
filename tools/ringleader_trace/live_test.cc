// Integration: a real ringleader rolling-restarts 4 workers under keep-alive load, then one
// worker is killed and replaced; the trace it writes passes `ringleader-trace --check` while it
// still runs (--alive=running) and after it stopped, shows one complete rollout during which no
// fewer than 4 workers were listening, and measures the killed worker's replacement.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"
#include "tools/ringleader_trace/rollouts.h"
#include "tools/ringleader_trace/run_tool.h"
#include "tools/ringleader_trace/trace_model.h"
#include "tools/ringleader_trace/trace_reader.h"

namespace ringleader::trace_tool {
namespace {

using testing::Eventually;
using ::testing::HasSubstr;
using testing::LoadClient;
using testing::LoadResult;
using testing::RingleaderServer;
using ::testing::StartsWith;

TraceModel ReadModel(const std::string& path) {
  std::ifstream in(path);
  TraceReader reader(in);
  TraceModelBuilder builder;
  while (auto line = reader.Next()) {
    EXPECT_TRUE(line->record.ok()) << "line " << line->number << ": " << line->record.status();
    if (line->record.ok()) builder.Add(line->number, *line->record);
  }
  return builder.model();
}

TEST(LiveTraceTest, RollingRestartUnderLoadPassesCheck) {
  constexpr int kWorkers = 4;
  auto server =
      RingleaderServer::Start({absl::StrCat("--workers=", kWorkers), "--rollout_stagger=50ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string trace = server->trace_path();

  LoadClient load({.port = server->port(), .connections = 8});
  load.Start();
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > 100; }));
  server->process().Signal(SIGUSR2);
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20)))
      << server->process().Stderr();
  const long after_rollout = load.requests_so_far();
  ASSERT_TRUE(
      Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > after_rollout + 100; }));
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  std::printf("%ld requests during the rolling restart\n", result.requests);

  // A crash: the slot's next generation replaces it (4 + 4 + 1 "is listening" lines).
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] {
    return server->process().Children().size() == static_cast<size_t>(kWorkers);
  }));  // the last old worker has finished draining
  const std::vector<pid_t> workers = server->process().Children();
  ASSERT_EQ(::kill(workers.front(), SIGKILL), 0);
  ASSERT_TRUE(server->process().WaitForLog("is listening", absl::Seconds(10), 2 * kWorkers + 1))
      << server->process().Stderr();

  // Still running: the new workers have not died, and that is fine because they are alive.
  const ToolResult running = RunTool(TraceToolPath(), {"--check", "--alive=running", trace});
  EXPECT_EQ(running.exit_code, 0) << running.out << running.err;
  EXPECT_THAT(running.out, StartsWith("check: OK"));

  server->process().Signal(SIGTERM);
  ASSERT_TRUE(server->process().WaitExit(absl::Seconds(15)).has_value());

  const ToolResult stopped = RunTool(TraceToolPath(), {"--check", trace});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_THAT(stopped.out, StartsWith(absl::StrCat("check: OK")));

  const TraceModel model = ReadModel(trace);
  EXPECT_EQ(model.workers.size(), 2u * kWorkers + 1);
  for (const WorkerHistory& w : model.workers) EXPECT_TRUE(w.dead()) << "pid " << w.pid;
  const std::vector<Rollout> rollouts = FindRollouts(model);
  ASSERT_EQ(rollouts.size(), 1u);
  EXPECT_EQ(rollouts[0].slots_replaced, kWorkers);
  EXPECT_EQ(rollouts[0].serving_before, kWorkers);
  EXPECT_EQ(rollouts[0].serving_min, kWorkers);  // zero downtime, measured from the trace
  EXPECT_TRUE(rollouts[0].stopped.empty());

  const ToolResult summary = RunTool(TraceToolPath(), {"--summary", trace});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_THAT(summary.out, HasSubstr(absl::StrCat("restarts by cause: rolling restart ", kWorkers,
                                                  ", crash (SIGKILL) 1")));
  EXPECT_THAT(summary.out,
              ::testing::ContainsRegex("replacement \\(exit -> next gen listening\\) +1 "));
  EXPECT_THAT(summary.out,
              HasSubstr(absl::StrCat("serving: ", kWorkers, " before, ", kWorkers, " at worst")));
  std::printf("%s", summary.out.c_str());

  const std::string svg = absl::StrCat(::testing::TempDir(), "/live.svg");
  EXPECT_EQ(RunTool(TraceToolPath(), {"--svg", svg, trace}).exit_code, 0);
  if (::access("/usr/bin/xmllint", X_OK) == 0) {
    EXPECT_EQ(RunTool("/usr/bin/xmllint", {"--noout", svg}).exit_code, 0);
  }
}

}  // namespace
}  // namespace ringleader::trace_tool
