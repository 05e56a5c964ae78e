// Integration (slow): SIGUSR2 rolling restarts under load lose no request — with keep-alive
// connections and with a new connection per request — and leave only new workers behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <set>

#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

std::set<int> AsSet(const std::vector<pid_t>& pids) { return {pids.begin(), pids.end()}; }

void RollingRestartsUnderLoad(bool keep_alive) {
  constexpr int kRestarts = 10;
  auto server = RingleaderServer::Start({"--workers=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::set<int> all_old = AsSet(server->process().Children());

  LoadClient load({.port = server->port(), .connections = 32, .keep_alive = keep_alive});
  load.Start();
  for (int i = 1; i <= kRestarts; ++i) {
    for (pid_t p : server->process().Children()) all_old.insert(p);
    const long before = load.requests_so_far();
    server->process().Signal(SIGUSR2);
    ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20), i))
        << "restart " << i << " did not complete\n" << server->process().Stderr();
    // Traffic kept flowing through this restart.
    ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > before + 100; }));
  }
  const LoadResult result = load.Stop();
  EXPECT_EQ(result.failures, 0) << result.Describe();
  EXPECT_GT(result.requests, 1000);
  std::printf("%d rolling restarts under %s load: %ld requests, %ld failures\n", kRestarts,
              keep_alive ? "keep-alive" : "connection-per-request", result.requests,
              result.failures);

  // Every worker that served before the last restart is gone; two new ones serve.
  // The last old worker may still be finishing its drain.
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return server->process().Children().size() == 2; }));
  const std::set<int> now = AsSet(server->process().Children());
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] {
    for (int p : all_old) {
      if (now.count(p) == 0 && ProcessAlive(p)) return false;
    }
    return true;
  }));
  for (int p : now) EXPECT_EQ(all_old.count(p), 0u) << p << " should be new";
  const std::vector<long> serving = server->DistinctWorkerPids(12);
  EXPECT_EQ(std::set<long>(serving.begin(), serving.end()), std::set<long>(now.begin(), now.end()));

  EXPECT_THAT(TraceViolations(server->trace_path(), now), IsEmpty());
  const TraceFile trace = server->Trace();
  int births = 0;
  for (const auto& r : trace.records) births += r.from.has_value() ? 0 : 1;
  EXPECT_EQ(births, 2 + 2 * kRestarts) << "exactly one new worker per slot per restart";
}

TEST(RollingRestart, TenUnderKeepAliveLoadLoseNothing) { RollingRestartsUnderLoad(true); }

TEST(RollingRestart, TenUnderConnectionPerRequestLoadLoseNothing) {
  RollingRestartsUnderLoad(false);
}

TEST(RollingRestart, RequestsDuringARolloutAreCoalesced) {
  auto server = RingleaderServer::Start({"--workers=2", "--rollout_stagger=300ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 5; ++i) server->process().Signal(i % 2 == 0 ? SIGUSR2 : SIGHUP);
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20), 2));
  absl::SleepFor(absl::Seconds(1));
  const std::string log = server->process().Stderr();
  size_t completes = 0;
  for (size_t p = log.find("Rolling restart complete"); p != std::string::npos;
       p = log.find("Rolling restart complete", p + 1)) {
    ++completes;
  }
  EXPECT_EQ(completes, 2u) << "five requests: the running rollout plus one coalesced\n" << log;
  int births = 0;
  for (const auto& r : server->Trace().records) births += r.from.has_value() ? 0 : 1;
  EXPECT_EQ(births, 2 + 2 * 2);
}

}  // namespace
}  // namespace ringleader::testing
