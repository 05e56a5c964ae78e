// Integration: `ringleader exec` supervises programs it did not write. Python's http.server on
// the socket passed as fd 3 serves through 10 rolling restarts under load without losing a
// request, and the trace of it passes the lifecycle check.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <set>
#include <string>

#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"
#include "tests/support/trace_file.h"

namespace ringleader::testing {
namespace {

using ::testing::IsEmpty;

std::set<int> Pids(const std::vector<pid_t>& pids) { return {pids.begin(), pids.end()}; }

absl::StatusOr<RingleaderServer> StartPython(int workers) {
  return RingleaderServer::Start({"exec", "-i", std::to_string(workers), "--ready=delay:300ms",
                                  "--", "python3", BinaryPath("python_http_server.py")},
                                 absl::Seconds(20));
}

TEST(Exec, PythonsHttpServerGetsTheSocketAsFd3AndServesFromEveryCopy) {
  auto server = StartPython(2);
  ASSERT_TRUE(server.ok()) << server.status();
  // The kernel picks which copy accepts from the shared socket: ask until both have answered.
  std::map<long, std::string> answers;
  EXPECT_TRUE(Eventually(absl::Seconds(10), [&] {
    for (auto& answer : FromEachWorker(server->port(), "/", 2)) answers.insert(answer);
    return answers.size() == 2;
  })) << answers.size() << " answered";
  for (const auto& [pid, body] : answers) {
    EXPECT_EQ(Pids(server->process().Children()).count(static_cast<int>(pid)), 1u) << body;
  }
  server->process().Signal(SIGTERM);
  const std::optional<int> status = server->process().WaitExit(absl::Seconds(10));
  ASSERT_TRUE(status.has_value()) << server->process().Stderr();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << server->process().Stderr();
}

TEST(Exec, TenRollingRestartsOfPythonUnderLoadLoseNothing) {
  constexpr int kRestarts = 10;
  auto server = StartPython(2);
  ASSERT_TRUE(server.ok()) << server.status();
  std::set<int> all_old = Pids(server->process().Children());
  LoadClient load({.port = server->port(), .connections = 8, .keep_alive = true});
  load.Start();
  for (int i = 1; i <= kRestarts; ++i) {
    for (pid_t p : server->process().Children()) all_old.insert(p);
    const long before = load.requests_so_far();
    server->process().Signal(SIGUSR2);
    ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(30), i))
        << "restart " << i << "\n" << server->process().Stderr();
    ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > before + 50; }));
  }
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  EXPECT_GT(result.requests, 500);
  std::printf("python http.server, %d rolling restarts under load: %ld requests, %ld failed\n",
              kRestarts, result.requests, result.failures);
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] { return server->process().Children().size() == 2; }));
  const std::set<int> now = Pids(server->process().Children());
  for (int p : now) EXPECT_EQ(all_old.count(p), 0u) << p << " should be new";
  EXPECT_THAT(TraceViolations(server->trace_path(), now), IsEmpty());
}

}  // namespace
}  // namespace ringleader::testing
