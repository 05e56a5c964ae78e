// Integration (slow): a 30-second soak. Two workers under mixed load — keep-alive, a connection
// per request, pipelined, slow senders — while one worker floods the bus, a rolling restart
// starts every 2 s and a random worker is SIGKILLed every 3 s. Well-behaved clients see no
// failed request, the lifecycle trace passes every check, and worker memory stays in budget.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"
#include "tests/support/test_process.h"

namespace ringleader::testing {
namespace {

using ::testing::IsEmpty;

constexpr absl::Duration kSoak = absl::Seconds(30);
constexpr absl::Duration kRolloutEvery = absl::Seconds(2);
constexpr absl::Duration kKillEvery = absl::Seconds(3);
// The per-worker resident size the README states (sanitizer build, small ASan quarantine).
constexpr long kWorkerBudgetKiB = 96 * 1024;

// The abuser: one POST after another asking a worker to flood the bus. Its own requests may
// die with a killed worker; it is not one of the well-behaved clients.
class BusFlooder {
 public:
  explicit BusFlooder(int port)
      : thread_([this, port] {
          while (!stop_) {
            if (HttpPost(port, "/debug/ipc/flood?n=20000", "").ok()) ++floods_;
            absl::SleepFor(absl::Milliseconds(200));
          }
        }) {}
  ~BusFlooder() {
    stop_ = true;
    thread_.join();
  }
  int floods() const { return floods_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> floods_{0};
  std::thread thread_;
};

TEST(Soak, RestartsAndKillsUnderMixedLoadLoseNoRequest) {
  auto server = RingleaderServer::Start(
      {"--workers=2", "--debug_endpoints", "--metrics_interval=200ms", "--rollout_stagger=50ms"},
      absl::Seconds(15), kMeasuredMemoryEnv);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  auto client = [port](LoadOptions o) {
    o.port = port;
    o.retry_when_dropped = true;  // only a SIGKILLed worker drops a connection
    return std::make_unique<LoadClient>(o);
  };
  std::vector<std::unique_ptr<LoadClient>> clients;
  clients.push_back(client({.connections = 6}));
  clients.push_back(client({.connections = 4, .keep_alive = false}));
  clients.push_back(client({.connections = 2, .pipeline = 8}));
  clients.push_back(client({.connections = 2, .trickle = absl::Milliseconds(300)}));
  for (auto& c : clients) c->Start();
  BusFlooder flooder(port);

  std::mt19937 random(20261202);
  int rollouts = 0, kills = 0;
  long peak_rss_kib = 0;
  const absl::Time start = absl::Now();
  absl::Time next_rollout = start + kRolloutEvery, next_kill = start + kKillEvery;
  while (absl::Now() - start < kSoak) {
    const std::vector<pid_t> workers = server->process().Children();
    for (pid_t w : workers) peak_rss_kib = std::max(peak_rss_kib, ResidentKiB(w));
    if (absl::Now() >= next_rollout) {
      server->process().Signal(SIGUSR2);
      ++rollouts;
      next_rollout += kRolloutEvery;
    }
    if (absl::Now() >= next_kill && !workers.empty()) {
      ::kill(workers[random() % workers.size()], SIGKILL);
      ++kills;
      next_kill += kKillEvery;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }

  LoadResult total;
  for (auto& c : clients) {
    const LoadResult r = c->Stop();
    total.requests += r.requests;
    total.failures += r.failures;
    total.retries += r.retries;
    total.failure_samples.insert(total.failure_samples.end(), r.failure_samples.begin(),
                                 r.failure_samples.end());
  }
  std::printf("soak: %d rollouts, %d kills, %d bus floods; %s; peak worker RSS %ld KiB\n",
              rollouts, kills, flooder.floods(), total.Describe().c_str(), peak_rss_kib);
  EXPECT_EQ(total.failures, 0) << total.Describe();
  EXPECT_GT(total.requests, 2000);
  // Only requests in flight on a killed worker are retried: at most every connection per kill.
  EXPECT_LE(total.retries, static_cast<long>(kills) * 14);
  EXPECT_LT(peak_rss_kib, kWorkerBudgetKiB);

  // Quiet again: two workers serve, and the whole trace replays cleanly.
  ASSERT_TRUE(Eventually(absl::Seconds(20), [&] {
    return server->process().Children().size() == 2 &&
           server->DistinctWorkerPids(8).size() == 2;
  })) << server->process().Stderr();
  const std::vector<pid_t> alive = server->process().Children();
  EXPECT_THAT(TraceViolations(server->trace_path(), {alive.begin(), alive.end()}), IsEmpty());
}

}  // namespace
}  // namespace ringleader::testing
