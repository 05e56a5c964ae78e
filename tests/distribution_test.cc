// Integration: how connections reach workers in each --sched mode (rr, shared, reuseport) and
// with --sticky=ip, and that no mode loses a connection while workers come and go: a rolling
// restart, a scale-down, a parked slot, a killed worker, a worker that stops reading its channel.
// The Slow* suites (rolling restarts and scaling under load) take longer than ten seconds
// together; CTest runs them as distribution_slow_test, the rest as distribution_test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/load_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

const std::vector<std::string> kModes = {"rr", "shared", "reuseport"};

std::set<long> AsSet(const std::vector<pid_t>& pids) { return {pids.begin(), pids.end()}; }

absl::StatusOr<RingleaderServer> StartInMode(const std::string& sched, int workers,
                                             std::vector<std::string> args = {}) {
  args.push_back("--sched=" + sched);
  args.push_back(absl::StrCat("--workers=", workers));
  return RingleaderServer::Start(std::move(args));
}

// Which worker answered each of a run of one-request connections.
struct Spread {
  std::map<long, int> served;  // worker pid → connections it answered
  int failures = 0;
  std::vector<std::string> failure_samples;

  std::set<long> Workers() const {
    std::set<long> out;
    for (const auto& [pid, count] : served) out.insert(pid);
    return out;
  }
  std::string Describe() const {
    std::string out = absl::StrCat(failures, " failed; served:");
    for (const auto& [pid, count] : served) absl::StrAppend(&out, " ", pid, "=", count);
    for (const auto& s : failure_samples) absl::StrAppend(&out, "\n  ", s);
    return out;
  }
};

// `connections` GET / requests, each on its own connection ("Connection: close"), `concurrency`
// of them in flight at a time.
Spread ShortConnections(int port, int connections, int concurrency) {
  Spread spread;
  std::mutex mu;
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      while (next.fetch_add(1) < connections) {
        auto reply = HttpGet(port, "/", absl::Seconds(5));
        std::lock_guard<std::mutex> lock(mu);
        if (reply.ok() && reply->status == 200) {
          ++spread.served[JsonInt(reply->body, "worker")];
          continue;
        }
        ++spread.failures;
        if (spread.failure_samples.size() < 8) {
          spread.failure_samples.push_back(reply.ok() ? absl::StrCat("status ", reply->status)
                                                      : reply.status().ToString());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return spread;
}

// The pid of a worker of `slot` other than `except` whose latest trace record is "listening", or 0.
int ListeningInSlot(const TraceFile& trace, int slot, int except) {
  std::map<int, WorkerState> latest;
  for (const auto& r : trace.records) {
    if (r.slot == slot && r.pid != except) latest[r.pid] = r.to;
  }
  for (const auto& [pid, state] : latest) {
    if (state == WorkerState::kListening) return pid;
  }
  return 0;
}

// The sockets listening on `port` (LISTEN rows of /proc/net/tcp), by inode → connections in
// their accept queue. One socket for rr and shared, one per slot for reuseport.
std::map<unsigned long, unsigned long> ListenQueues(int port) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the header
  std::map<unsigned long, unsigned long> queues;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string row, local, remote, state, tx_rx, timer, retransmits, uid, timeout;
    unsigned long inode = 0;
    fields >> row >> local >> remote >> state >> tx_rx >> timer >> retransmits >> uid >>
        timeout >> inode;
    const auto port_at = local.find(':');
    const auto rx_at = tx_rx.find(':');
    unsigned local_port = 0;
    unsigned long waiting = 0;
    if (fields && state == "0A" && port_at != std::string::npos && rx_at != std::string::npos &&
        absl::SimpleHexAtoi(local.substr(port_at + 1), &local_port) &&
        static_cast<int>(local_port) == port &&
        absl::SimpleHexAtoi(tx_rx.substr(rx_at + 1), &waiting)) {
      queues[inode] = waiting;
    }
  }
  return queues;
}

// The listening sockets by inode: the same inodes after a restart are the same sockets, kept.
std::set<unsigned long> ListeningSockets(int port) {
  std::set<unsigned long> inodes;
  for (const auto& [inode, waiting] : ListenQueues(port)) inodes.insert(inode);
  return inodes;
}

// For a failure message: the listening sockets with connections nobody has accepted.
std::string Unaccepted(int port) {
  std::string out;
  for (const auto& [inode, waiting] : ListenQueues(port)) {
    if (waiting > 0) absl::StrAppend(&out, "\n  socket ", inode, ": ", waiting, " not accepted");
  }
  return out;
}

// The trace checker's verdict once the trace has caught up with the processes: the primary
// writes it through its ring, a moment after it reaps a worker. Empty, or what is still wrong
// after five seconds.
std::vector<std::string> SettledTraceViolations(RingleaderServer& server) {
  std::vector<std::string> violations;
  Eventually(absl::Seconds(5), [&] {
    const std::vector<pid_t> alive = server.process().Children();
    violations = TraceViolations(server.trace_path(), {alive.begin(), alive.end()});
    return violations.empty();
  });
  return violations;
}

// --- Spread: every mode reaches every worker; rr evenly ---------------------------------------

class SpreadPerMode : public ::testing::TestWithParam<std::string> {};

TEST_P(SpreadPerMode, FourHundredShortConnectionsReachEveryWorker) {
  constexpr int kWorkers = 4;
  // Enough that one slow moment of a worker (the suite runs tests side by side) does not move
  // its share by a fifth.
  constexpr int kConnections = 400;
  auto server = StartInMode(GetParam(), kWorkers);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::set<long> workers = AsSet(server->process().Children());
  ASSERT_THAT(workers, SizeIs(kWorkers));
  EXPECT_THAT(ListeningSockets(server->port()), SizeIs(GetParam() == "reuseport" ? kWorkers : 1));

  const Spread spread = ShortConnections(server->port(), kConnections, 8);
  std::printf("--sched=%s, %d connections over %d workers: %s\n", GetParam().c_str(),
              kConnections, kWorkers, spread.Describe().c_str());
  EXPECT_EQ(spread.failures, 0) << spread.Describe();
  EXPECT_EQ(spread.Workers(), workers) << "every worker serves some: " << spread.Describe();
  if (GetParam() != "rr") return;
  const double mean = static_cast<double>(kConnections) / kWorkers;
  for (const auto& [pid, count] : spread.served) {
    EXPECT_GE(count, 0.8 * mean) << "worker " << pid << ": " << spread.Describe();
    EXPECT_LE(count, 1.2 * mean) << "worker " << pid << ": " << spread.Describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, SpreadPerMode, ::testing::ValuesIn(kModes),
                         [](const auto& info) { return info.param; });

// When a load ends, every worker has no connection open: "least-loaded, round-robin among
// equals" gives each its turn at once, not after the primary's estimates catch up.
TEST(RoundRobin, ShortConnectionsRightAfterAKeepAliveLoadReachEveryWorker) {
  auto server = StartInMode("rr", 3);
  ASSERT_TRUE(server.ok()) << server.status();
  LoadClient load({.port = server->port(), .connections = 16});
  load.Start();
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > 2000; }));
  const LoadResult result = load.Stop();
  ASSERT_EQ(result.failures, 0) << result.Describe();
  const Spread spread = ShortConnections(server->port(), 24, 1);
  std::printf("rr, 24 connections one at a time right after a keep-alive load: %s\n",
              spread.Describe().c_str());
  EXPECT_EQ(spread.Workers(), AsSet(server->process().Children())) << spread.Describe();
}

// --- Rolling restart under load, per mode -------------------------------------------------------

class SlowRollingRestartPerMode
    : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(SlowRollingRestartPerMode, LosesNothing) {
  const auto& [sched, keep_alive] = GetParam();
  constexpr int kWorkers = 3;
  constexpr int kRestarts = 3;
  auto server = StartInMode(sched, kWorkers);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::set<unsigned long> sockets = ListeningSockets(server->port());
  std::set<long> all_old;

  LoadClient load({.port = server->port(), .connections = 16, .keep_alive = keep_alive});
  load.Start();
  for (int i = 1; i <= kRestarts; ++i) {
    for (long p : AsSet(server->process().Children())) all_old.insert(p);
    const long before = load.requests_so_far();
    server->process().Signal(SIGUSR2);
    ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(20), i))
        << "restart " << i << " did not complete\n" << server->process().Stderr();
    ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > before + 100; }))
        << "traffic stopped during restart " << i;
  }
  const LoadResult result = load.Stop();
  std::printf("--sched=%s, %d rolling restarts under %s load: %s\n", sched.c_str(), kRestarts,
              keep_alive ? "keep-alive" : "connection-per-request", result.Describe().c_str());
  EXPECT_EQ(result.failures, 0) << result.Describe() << Unaccepted(server->port());

  // Only new workers are left, and they are the ones serving.
  ASSERT_TRUE(Eventually(absl::Seconds(10), [&] {
    return server->process().Children().size() == static_cast<size_t>(kWorkers);
  }));
  const std::set<long> now = AsSet(server->process().Children());
  for (long p : now) EXPECT_EQ(all_old.count(p), 0u) << p << " should be new";
  // (Within a few seconds: see ShortConnectionsRightAfterAKeepAliveLoadReachEveryWorker.)
  EXPECT_TRUE(Eventually(absl::Seconds(3), [&] {
    const std::vector<long> serving = server->DistinctWorkerPids(12);
    return std::set<long>(serving.begin(), serving.end()) == now;
  })) << "the new workers serve";
  EXPECT_EQ(ListeningSockets(server->port()), sockets) << "new workers inherit the sockets";
  EXPECT_THAT(SettledTraceViolations(*server), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Modes, SlowRollingRestartPerMode,
                         ::testing::Combine(::testing::ValuesIn(kModes), ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) +
                                  (std::get<1>(info.param) ? "_keep_alive" : "_per_request");
                         });

// --- reuseport: a slot's socket outlives its worker -------------------------------------------

// Connection-per-request load, for the slot tests: a request queued on a socket nobody accepts
// from would time out, so the timeout is short enough to fail the test rather than hang it.
// Enough connections that the slots' accept queues are seldom empty when one is removed.
LoadOptions PerRequestLoad(int port) {
  return {.port = port, .connections = 32, .keep_alive = false, .timeout = absl::Seconds(5)};
}

bool TrafficFlows(const LoadClient& load, long more) {
  const long before = load.requests_so_far();
  return Eventually(absl::Seconds(5), [&] { return load.requests_so_far() > before + more; });
}

TEST(SlowReuseport, ScaleDownTwiceThenUpUnderPerRequestLoadLosesNothing) {
  auto server = StartInMode("reuseport", 4);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::set<unsigned long> sockets = ListeningSockets(server->port());
  EXPECT_THAT(sockets, SizeIs(4));
  {
    LoadClient load(PerRequestLoad(server->port()));
    load.Start();
    for (int remaining : {3, 2}) {
      ASSERT_TRUE(TrafficFlows(load, 200));
      server->process().Signal(SIGTTOU);
      ASSERT_TRUE(server->process().WaitForLog("scaling down", absl::Seconds(5), 4 - remaining))
          << server->process().Stderr();
      ASSERT_TRUE(Eventually(absl::Seconds(15), [&] {
        return server->process().Children().size() == static_cast<size_t>(remaining);
      })) << "the drained worker did not exit\n" << server->process().Stderr();
    }
    // The two removed slots' sockets stay open in the primary and still receive their share of
    // new connections.
    EXPECT_EQ(ListeningSockets(server->port()), sockets);
    ASSERT_TRUE(TrafficFlows(load, 400));
    const LoadResult result = load.Stop();
    std::printf("reuseport, 4 -> 2 workers under per-request load: %s\n",
                result.Describe().c_str());
    EXPECT_EQ(result.failures, 0) << "scale-down: " << result.Describe()
                                  << Unaccepted(server->port());
  }
  const std::set<long> two = AsSet(server->process().Children());
  const std::vector<long> serving = server->DistinctWorkerPids(24);
  EXPECT_EQ(std::set<long>(serving.begin(), serving.end()), two);

  LoadClient load(PerRequestLoad(server->port()));
  load.Start();
  ASSERT_TRUE(TrafficFlows(load, 100));
  server->process().Signal(SIGTTIN);
  ASSERT_TRUE(server->process().WaitForLog("is listening", absl::Seconds(10), 5))
      << server->process().Stderr();
  ASSERT_THAT(server->process().Children(), SizeIs(3));
  long added = 0;
  for (long p : AsSet(server->process().Children())) added = two.count(p) == 0 ? p : added;
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] {
    const std::vector<long> serving_now = server->DistinctWorkerPids(12);
    return std::find(serving_now.begin(), serving_now.end(), added) != serving_now.end();
  }))
      << "the worker added by SIGTTIN serves";
  ASSERT_TRUE(TrafficFlows(load, 200));
  const LoadResult result = load.Stop();
  std::printf("reuseport, 2 -> 3 workers under per-request load: %s\n", result.Describe().c_str());
  EXPECT_EQ(result.failures, 0) << "scale-up: " << result.Describe()
                                  << Unaccepted(server->port());
  EXPECT_EQ(ListeningSockets(server->port()), sockets) << "the new worker takes a kept socket";
  EXPECT_THAT(SettledTraceViolations(*server), IsEmpty());
}

TEST(Reuseport, ParkedSlotsQueueIsServedByTheOthers) {
  // One quick death parks a slot: --min_uptime=1h makes every death quick.
  auto server = StartInMode("reuseport", 3, {"--min_uptime=1h", "--max_restarts=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::vector<pid_t> workers = server->process().Children();
  ASSERT_THAT(workers, SizeIs(3));
  const std::set<unsigned long> sockets = ListeningSockets(server->port());
  ASSERT_EQ(::kill(workers[0], SIGKILL), 0);
  ASSERT_TRUE(server->process().WaitForLog("parked; not restarting", absl::Seconds(5)))
      << server->process().Stderr();
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] { return !ProcessAlive(workers[0]); }));

  LoadClient load(PerRequestLoad(server->port()));
  load.Start();
  EXPECT_TRUE(TrafficFlows(load, 300)) << load.requests_so_far() << " requests answered"
                                       << Unaccepted(server->port());
  const LoadResult result = load.Stop();
  std::printf("reuseport, one slot of 3 parked, per-request load: %s\n",
              result.Describe().c_str());
  EXPECT_EQ(result.failures, 0) << result.Describe() << Unaccepted(server->port());
  EXPECT_EQ(result.worker_pids, std::set<long>({workers[1], workers[2]}));
  EXPECT_EQ(ListeningSockets(server->port()), sockets) << "the parked slot's socket stays open";
}

// --- --sticky=ip --------------------------------------------------------------------------------

absl::StatusOr<long> WorkerFor(int port, const std::string& source) {
  auto reply = HttpGet(port, "/", absl::Seconds(3), source);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return absl::InternalError(absl::StrCat("status ", reply->status));
  return JsonInt(reply->body, "worker");
}

// The one worker that answers `times` connections from `source`; nullopt with a message in
// `why` when they fail or more than one worker answers.
std::optional<long> OneWorkerFor(int port, const std::string& source, int times,
                                 std::string& why) {
  std::set<long> seen;
  for (int i = 0; i < times; ++i) {
    auto worker = WorkerFor(port, source);
    if (!worker.ok()) {
      why = absl::StrCat(source, ": ", worker.status().ToString());
      return std::nullopt;
    }
    seen.insert(*worker);
  }
  if (seen.size() == 1) return *seen.begin();
  why = absl::StrCat(source, " reached workers ", absl::StrJoin(seen, ", "));
  return std::nullopt;
}

// Client addresses 127.0.0.2, 127.0.0.3, ... (`count` of them) → the one worker each reaches
// over `times` connections; empty, with `why` set, when one fails or reaches two workers.
std::map<std::string, long> StickyHomes(int port, int count, int times, std::string& why) {
  std::map<std::string, long> home;
  for (int i = 2; i < 2 + count; ++i) {
    const std::string client = absl::StrCat("127.0.0.", i);
    const std::optional<long> worker = OneWorkerFor(port, client, times, why);
    if (!worker.has_value()) return {};
    home[client] = *worker;
  }
  return home;
}

TEST(StickyIp, AnAddressKeepsItsWorkerFollowsItsSlotsReplacementAndMovesToOneOtherMeanwhile) {
  // --min_uptime=1h: the kill is a quick death, so the slot stays empty for a backoff (~100 ms)
  // before its replacement starts: a window long enough to watch.
  auto server = StartInMode("rr", 4, {"--sticky=ip", "--min_uptime=1h"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  const std::set<long> original = AsSet(server->process().Children());
  ASSERT_THAT(original, SizeIs(4));

  std::string why;
  const std::map<std::string, long> home = StickyHomes(port, 8, 10, why);  // address → worker
  ASSERT_THAT(home, SizeIs(8)) << why;
  std::set<long> homes;
  for (const auto& [address, worker] : home) homes.insert(worker);
  EXPECT_GE(homes.size(), 2u) << "8 addresses over 4 workers all went to one";

  const std::string client = "127.0.0.2";
  const long victim = home.at(client);
  const int slot = server->Trace().ForPid(static_cast<int>(victim)).front().slot;
  ASSERT_EQ(::kill(static_cast<pid_t>(victim), SIGKILL), 0);
  ASSERT_TRUE(Eventually(absl::Seconds(2), [&] { return !ProcessAlive(static_cast<pid_t>(victim)); }));

  // Until the slot's replacement answers, the client's connections go to one other worker.
  std::map<long, int> meanwhile;  // original worker → connections it answered
  int probes = 0;
  int replacement = 0;
  std::vector<std::string> failures;
  const bool back = Eventually(absl::Seconds(10), [&] {
    ++probes;
    auto worker = WorkerFor(port, client);
    if (!worker.ok()) {
      failures.push_back(worker.status().ToString());
    } else if (original.count(*worker) > 0) {
      ++meanwhile[*worker];
    }
    replacement = ListeningInSlot(server->Trace(), slot, static_cast<int>(victim));
    return replacement != 0 && worker.ok() && *worker == replacement;
  });
  std::string counts;
  for (const auto& [pid, n] : meanwhile) absl::StrAppend(&counts, " ", pid, "=", n);
  std::printf("slot %d down: %d connections from %s, answered by original workers:%s\n", slot,
              probes, client.c_str(), counts.c_str());
  ASSERT_TRUE(back) << "the replacement in slot " << slot << " never took " << client
                    << " back; meanwhile:" << counts << "\n" << server->process().Stderr();
  EXPECT_THAT(failures, IsEmpty());
  EXPECT_THAT(meanwhile, SizeIs(1)) << "while its slot was empty, " << client
                                    << " must go to one single other worker:" << counts;
  EXPECT_EQ(meanwhile.count(victim), 0u);

  // Back to stable: the replacement keeps this client, and no other address has moved.
  EXPECT_EQ(OneWorkerFor(port, client, 20, why), std::optional<long>(replacement)) << why;
  for (const auto& [address, worker] : home) {
    if (address == client) continue;
    const long expected = worker == victim ? replacement : worker;
    EXPECT_EQ(OneWorkerFor(port, address, 3, why), std::optional<long>(expected))
        << address << " moved " << why;
  }
}

TEST(StickyIp, OnlyAScaledDownSlotsAddressesMoveAndTheyComeBackWhenTheSlotReturns) {
  constexpr int kAddresses = 32;  // some land on slot 3 but for a chance of (3/4)^32
  auto server = StartInMode("rr", 4, {"--sticky=ip"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  std::string why;
  const std::map<std::string, long> before = StickyHomes(port, kAddresses, 3, why);
  ASSERT_THAT(before, SizeIs(kAddresses)) << why;
  const int drained = ListeningInSlot(server->Trace(), 3, 0);
  std::set<std::string> moving;
  for (const auto& [address, worker] : before) {
    if (worker == drained) moving.insert(address);
  }
  ASSERT_FALSE(moving.empty()) << "no address lands on slot 3 (worker " << drained << ")";

  server->process().Signal(SIGTTOU);  // drains the highest slot, 3
  ASSERT_TRUE(server->process().WaitForLog("scaling down (slot 3)", absl::Seconds(5)))
      << server->process().Stderr();
  ASSERT_TRUE(Eventually(absl::Seconds(15), [&] { return !ProcessAlive(drained); }));
  const std::map<std::string, long> during = StickyHomes(port, kAddresses, 3, why);
  ASSERT_THAT(during, SizeIs(kAddresses)) << "slot 3 removed: " << why;
  for (const auto& [address, worker] : during) {
    if (moving.count(address) > 0) {
      EXPECT_NE(worker, drained) << address;
    } else {
      EXPECT_EQ(worker, before.at(address)) << address << " moved, yet its slot still serves";
    }
  }

  server->process().Signal(SIGTTIN);  // slot 3 again, with a new worker
  ASSERT_TRUE(server->process().WaitForLog("is listening", absl::Seconds(10), 5))
      << server->process().Stderr();
  int added = 0;
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] {
    added = ListeningInSlot(server->Trace(), 3, drained);
    return added != 0;
  })) << "no new worker listens in slot 3";
  const std::map<std::string, long> after = StickyHomes(port, kAddresses, 3, why);
  ASSERT_THAT(after, SizeIs(kAddresses)) << "slot 3 back: " << why;
  for (const auto& [address, worker] : after) {
    EXPECT_EQ(worker, moving.count(address) > 0 ? added : before.at(address)) << address;
  }
}

// --- rr: a worker that stops reading its channel ------------------------------------------------

// Reads the answers that arrive before `deadline` on the connections not yet in `answered_by`
// (index → the worker that answered, or -1 when the connection failed).
void CollectAnswers(std::vector<ClientConnection>& conns, std::map<size_t, long>& answered_by,
                    absl::Time deadline) {
  while (answered_by.size() < conns.size() && absl::Now() < deadline) {
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    for (size_t i = 0; i < conns.size(); ++i) {
      if (answered_by.count(i) > 0) continue;
      fds.push_back({conns[i].fd(), POLLIN, 0});
      index.push_back(i);
    }
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1;
    if (::poll(fds.data(), fds.size(), ms) <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      auto reply = conns[index[k]].ReadResponse();
      answered_by[index[k]] =
          reply.ok() && reply->status == 200 ? JsonInt(reply->body, "worker") : -1;
    }
  }
}

// How many answers each worker gave (-1: failed), and the same as " pid=n ..." for messages.
std::map<long, int> CountByWorker(const std::map<size_t, long>& answered_by) {
  std::map<long, int> by_worker;
  for (const auto& [i, worker] : answered_by) ++by_worker[worker];
  return by_worker;
}

std::string DescribeCounts(const std::map<long, int>& by_worker) {
  std::string counts;
  for (const auto& [pid, n] : by_worker) absl::StrAppend(&counts, " ", pid, "=", n);
  return counts;
}

// Of two workers, SIGSTOPs the first (`stopped`; `running` is the other), then opens every
// connection of `conns` and sends one request on each.
void StopAWorkerThenSendRequests(RingleaderServer& server, pid_t& stopped, pid_t& running,
                                 std::vector<ClientConnection>& conns) {
  const std::vector<pid_t> workers = server.process().Children();
  ASSERT_THAT(workers, SizeIs(2));
  stopped = workers[0];
  running = workers[1];
  ASSERT_EQ(::kill(stopped, SIGSTOP), 0);
  for (auto& c : conns) {
    ASSERT_TRUE(c.Connect(server.port(), absl::Seconds(20)).ok());
    ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").ok());
  }
}

TEST(RoundRobin, AStoppedWorkerDoesNotStallHandOffsAndServesItsShareOnceResumed) {
  constexpr size_t kConnections = 100;
  constexpr size_t kUnacknowledgedBound = 32;
  auto server = StartInMode("rr", 2, {"--watchdog_timeout=0"});
  ASSERT_TRUE(server.ok()) << server.status();
  pid_t stopped = 0;
  pid_t running = 0;
  std::vector<ClientConnection> conns(kConnections);
  StopAWorkerThenSendRequests(*server, stopped, running, conns);
  absl::Cleanup resume = [stopped] {
    if (stopped > 0) ::kill(stopped, SIGCONT);
  };
  if (HasFatalFailure()) return;
  std::map<size_t, long> answered_by;
  CollectAnswers(conns, answered_by, absl::Now() + absl::Seconds(3));
  const size_t prompt = answered_by.size();
  std::printf("worker %d stopped: %zu of %zu connections answered within 3 s\n", stopped, prompt,
              kConnections);
  EXPECT_GE(prompt, kConnections - kUnacknowledgedBound)
      << "hand-offs to the running worker stalled behind the stopped one";
  for (const auto& [i, worker] : answered_by) {
    EXPECT_EQ(worker, running) << "connection " << i;
  }

  ASSERT_EQ(::kill(stopped, SIGCONT), 0);
  CollectAnswers(conns, answered_by, absl::Now() + absl::Seconds(10));
  std::map<long, int> by_worker = CountByWorker(answered_by);
  const std::string counts = DescribeCounts(by_worker);
  std::printf("after SIGCONT: answered by%s\n", counts.c_str());
  EXPECT_EQ(answered_by.size(), kConnections) << "connections never answered:" << counts;
  EXPECT_EQ(by_worker.count(-1), 0u) << "connections failed:" << counts;
  EXPECT_LE(by_worker[stopped], static_cast<int>(kUnacknowledgedBound))
      << "no more hand-offs wait on a worker than the bound:" << counts;
}

// The stopped worker is not resumed: the watchdog kills it. The connections the primary handed
// it and it never acknowledged go to the other worker instead of closing with it.
TEST(RoundRobin, ConnectionsAStoppedWorkerNeverTookGoToAnotherWhenItIsKilled) {
  constexpr size_t kConnections = 100;
  auto server = StartInMode("rr", 2, {"--watchdog_timeout=1s"});
  ASSERT_TRUE(server.ok()) << server.status();
  pid_t stopped = 0;
  pid_t running = 0;
  std::vector<ClientConnection> conns(kConnections);
  StopAWorkerThenSendRequests(*server, stopped, running, conns);
  absl::Cleanup resume = [stopped] {
    if (stopped > 0) ::kill(stopped, SIGCONT);
  };
  if (HasFatalFailure()) return;
  std::map<size_t, long> answered_by;
  CollectAnswers(conns, answered_by, absl::Now() + absl::Seconds(10));
  std::map<long, int> by_worker = CountByWorker(answered_by);
  const std::string counts = DescribeCounts(by_worker);
  std::printf("worker %d stopped and killed by the watchdog: answered by%s\n", stopped,
              counts.c_str());
  EXPECT_EQ(answered_by.size(), kConnections) << "connections never answered:" << counts;
  EXPECT_EQ(by_worker.count(-1), 0u) << "connections failed:" << counts;
  EXPECT_EQ(by_worker.count(stopped), 0u) << counts;
  EXPECT_TRUE(server->process().WaitForLog("died (SIGKILL)", absl::Seconds(5)))
      << "the watchdog did not kill it";
}

}  // namespace
}  // namespace ringleader::testing

