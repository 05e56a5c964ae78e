// Integration: graceful stop with requests in flight, a deploy whose workers cannot start, a
// crash loop that parks its slot, the watchdog, and drain-timeout escalation — each checked in
// the lifecycle trace as well.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <future>
#include <set>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::set<int> AsSet(const std::vector<pid_t>& pids) { return {pids.begin(), pids.end()}; }

int Births(const TraceFile& trace) {
  int n = 0;
  for (const auto& r : trace.records) n += r.from.has_value() ? 0 : 1;
  return n;
}

TEST(Lifecycle, SigtermFinishesTwentyInFlightRequestsThenExitsZero) {
  auto server = RingleaderServer::Start({"--workers=2", "--metrics_interval=50ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  std::vector<std::future<absl::StatusOr<HttpReply>>> inflight;
  for (int i = 0; i < 20; ++i) {
    inflight.push_back(std::async(std::launch::async, [port] {
      return HttpGet(port, "/delay/1000", absl::Seconds(5));
    }));
  }
  // All 20 are accepted and being served (the workers' own count, via the metrics aggregate).
  ASSERT_TRUE(Eventually(absl::Seconds(3), [&] {
    auto m = HttpGet(port, "/metrics");
    return m.ok() && m->status == 200 &&
           JsonInt(m->body.substr(m->body.find("\"total\"")), "connections") >= 20;
  }));
  server->process().Signal(SIGTERM);
  int ok = 0;
  for (auto& f : inflight) {
    auto r = f.get();
    if (r.ok() && r->status == 200 && absl::StrContains(r->body, "\"delayed_ms\":1000")) ++ok;
  }
  EXPECT_EQ(ok, 20);
  const auto status = server->process().WaitExit(absl::Seconds(5));
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0) << server->process().Stderr();
  EXPECT_THAT(TraceViolations(server->trace_path(), {}), IsEmpty());
}

TEST(Lifecycle, DrainingWorkerAnswersHealth503AndCloses) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  ASSERT_TRUE(c.Send("GET /delay/400 HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  absl::SleepFor(absl::Milliseconds(100));
  server->process().Signal(SIGTERM);
  absl::SleepFor(absl::Milliseconds(100));
  // Pipelined behind the in-flight request, on the draining worker.
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  auto first = c.ReadResponse();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200);
  auto health = c.ReadResponse();
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 503);
  EXPECT_THAT(health->body, HasSubstr("\"status\":\"draining\""));
  EXPECT_EQ(health->Header("Connection"), "close");
  EXPECT_TRUE(c.PeerClosed(absl::Seconds(2)));
}

TEST(Lifecycle, FailedDeployStopsTheRolloutKeepsOldWorkersAndForksNoMore) {
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints",
                                         "--debug_fail_generation=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::set<int> old = AsSet(server->process().Children());
  server->process().Signal(SIGUSR2);
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart stopped", absl::Seconds(10)))
      << server->process().Stderr();
  const int births_after_failure = Births(server->Trace());
  absl::SleepFor(absl::Seconds(10));  // watch for a fork storm
  EXPECT_EQ(Births(server->Trace()), births_after_failure) << "no forks after the failure";
  EXPECT_EQ(births_after_failure, 3) << "two workers, then one failed replacement";

  EXPECT_EQ(AsSet(server->process().Children()), old);
  const std::vector<long> serving = server->DistinctWorkerPids(12);
  EXPECT_EQ(std::set<long>(serving.begin(), serving.end()), std::set<long>(old.begin(), old.end()));

  EXPECT_THAT(TraceViolations(server->trace_path(), old), IsEmpty());
  const TraceFile trace = server->Trace();
  const TraceRecord& failed = trace.records.back();
  EXPECT_EQ(failed.generation, 2u);
  EXPECT_EQ(failed.to, WorkerState::kDead);
  EXPECT_EQ(failed.cause, "code 1; rolling restart stopped, old worker stays");
}

TEST(Lifecycle, CrashLoopBacksOffAndParksTheSlot) {
  auto server = RingleaderServer::Start({"--workers=1", "--debug_endpoints",
                                         "--debug_fail_generation=2", "--max_restarts=3"});
  ASSERT_TRUE(server.ok()) << server.status();
  absl::SleepFor(absl::Milliseconds(1100));  // gen 1 is past min_uptime: its crash is ordinary
  auto crash = HttpGet(server->port(), "/debug/crash", absl::Seconds(1));
  EXPECT_FALSE(crash.ok());
  ASSERT_TRUE(server->process().WaitForLog("parked", absl::Seconds(10))) << server->process().Stderr();
  std::vector<std::string> exits;
  // The trace is written through the ring, a moment after the log line: wait for it.
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] {
    exits.clear();
    for (const auto& r : server->Trace().records) {
      if (r.event == WorkerEvent::kExited) exits.push_back(r.cause);
    }
    return exits.size() >= 4;
  }));
  ASSERT_THAT(exits, SizeIs(4)) << ::testing::PrintToString(exits);
  EXPECT_EQ(exits[0], "SIGABRT; restart now");
  EXPECT_THAT(exits[1], HasSubstr("code 1; restart in "));
  EXPECT_THAT(exits[2], HasSubstr("code 1; restart in "));
  EXPECT_EQ(exits[3], "code 1; slot parked (crash loop)");
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(Births(server->Trace()), 4) << "parked: no fifth fork";
}

TEST(Lifecycle, RollingRestartDuringACrashBackoffKeepsThePrimaryAlive) {
  auto server = RingleaderServer::Start({"--workers=1", "--debug_endpoints", "--min_uptime=30s",
                                         "--max_restarts=100"});
  ASSERT_TRUE(server.ok()) << server.status();
  // Three quick deaths: the slot now waits out a backoff of about 400 ms.
  for (int i = 1; i <= 3; ++i) {
    (void)HttpGet(server->port(), "/debug/crash", absl::Milliseconds(500));
    if (i < 3) {
      ASSERT_TRUE(server->process().WaitForLog("is listening", absl::Seconds(5), i + 1));
    }
  }
  ASSERT_TRUE(server->process().WaitForLog("Restarting in", absl::Seconds(2), 3));
  server->process().Signal(SIGHUP);  // a rollout while the backoff timer runs
  ASSERT_TRUE(server->process().WaitForLog("Rolling restart complete", absl::Seconds(5)));
  (void)HttpGet(server->port(), "/debug/crash", absl::Milliseconds(500));  // crash the new one
  ASSERT_TRUE(server->process().WaitForLog("Restarting in", absl::Seconds(2), 4));
  EXPECT_FALSE(server->process().WaitExit(absl::Milliseconds(200)).has_value())
      << "the primary died\n" << server->process().Stderr();
  EXPECT_TRUE(Eventually(absl::Seconds(5), [&] {
    auto r = HttpGet(server->port(), "/health", absl::Milliseconds(300));
    return r.ok() && r->status == 200;
  })) << server->process().Stderr();
}

TEST(Lifecycle, FailedReplacementOfACrashedWorkerDoesNotLeaveTheSlotEmpty) {
  auto server = RingleaderServer::Start({"--workers=1", "--debug_endpoints",
                                         "--debug_fail_generation=2", "--max_restarts=3"});
  ASSERT_TRUE(server.ok()) << server.status();
  server->process().Signal(SIGHUP);  // the new generation cannot start ...
  (void)HttpGet(server->port(), "/debug/crash", absl::Milliseconds(500));  // ... and the old dies
  // Whatever the order, the slot keeps being restarted by the crash-loop policy until parked:
  // never silently empty.
  ASSERT_TRUE(server->process().WaitForLog("parked", absl::Seconds(10))) << server->process().Stderr();
  ASSERT_TRUE(Eventually(absl::Seconds(2), [&] {
    for (const auto& r : server->Trace().records) {
      if (absl::StrContains(r.cause, "slot parked")) return true;
    }
    return false;
  }));
  EXPECT_THAT(TraceViolations(server->trace_path(), {}), IsEmpty());
}

TEST(Lifecycle, HungWorkerIsKilledAndReplacedWithinWatchdogTimeoutPlusOneSecond) {
  auto server = RingleaderServer::Start({"--workers=1", "--debug_endpoints",
                                         "--watchdog_timeout=2s"});
  ASSERT_TRUE(server.ok()) << server.status();
  const pid_t hung = server->process().Children().at(0);
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  const absl::Time hung_at = absl::Now();
  ASSERT_TRUE(c.Send("GET /debug/spin HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  pid_t replacement = 0;
  ASSERT_TRUE(Eventually(absl::Seconds(4), [&] {
    for (pid_t p : server->process().Children()) {
      if (p != hung &&
          absl::StrContains(server->process().Stderr(), "Worker " + std::to_string(p) + " is listening")) {
        replacement = p;
      }
    }
    return replacement != 0;
  })) << server->process().Stderr();
  const absl::Duration took = absl::Now() - hung_at;
  EXPECT_LT(took, absl::Seconds(3));
  std::printf("hang -> replacement listening: %lld ms (watchdog 2 s)\n",
              static_cast<long long>(absl::ToInt64Milliseconds(took)));
  auto health = HttpGet(server->port(), "/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(JsonInt(health->body, "pid"), replacement);

  const TraceFile trace = server->Trace();
  EXPECT_THAT(trace.Path(hung), ::testing::ElementsAre("null>forking", "forking>online",
                                                       "online>listening", "listening>draining",
                                                       "draining>dead"));
  EXPECT_EQ(trace.ForPid(hung)[3].event, WorkerEvent::kWatchdogTimeout);
  EXPECT_EQ(trace.ForPid(hung)[4].cause, "SIGKILL; restart now");
  EXPECT_THAT(TraceViolations(server->trace_path(), {static_cast<int>(replacement)}), IsEmpty());
}

TEST(Lifecycle, DrainTimeoutEscalatesToSigkillAndTheTraceSaysSo) {
  auto server = RingleaderServer::Start({"--workers=1", "--drain_timeout=1s"});
  ASSERT_TRUE(server.ok()) << server.status();
  const pid_t worker = server->process().Children().at(0);
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  ASSERT_TRUE(c.Send("GET /delay/30000 HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  absl::SleepFor(absl::Milliseconds(100));
  const absl::Time stop_at = absl::Now();
  server->process().Signal(SIGTERM);
  ASSERT_TRUE(server->process().WaitExit(absl::Seconds(4)).has_value());
  const absl::Duration took = absl::Now() - stop_at;
  EXPECT_GE(took, absl::Milliseconds(900));
  EXPECT_LT(took, absl::Seconds(3));
  const TraceFile trace = server->Trace();
  ASSERT_THAT(trace.Path(worker), ::testing::ElementsAre("null>forking", "forking>online",
                                                         "online>listening", "listening>draining",
                                                         "draining>draining", "draining>dead"));
  EXPECT_EQ(trace.ForPid(worker)[4].event, WorkerEvent::kDrainTimeout);
  EXPECT_EQ(trace.ForPid(worker)[5].cause, "SIGKILL");
  EXPECT_THAT(TraceViolations(server->trace_path(), {}), IsEmpty());
}

}  // namespace
}  // namespace ringleader::testing
