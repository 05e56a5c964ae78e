// Integration: the message bus end to end — a config broadcast reaches every worker (and later
// ones), workers message each other through the primary, metrics are aggregated, and a worker
// that abuses the bus hurts nobody else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(MessageBus, ConfigUpdateReachesEveryWorkerAndLaterOnes) {
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto posted = HttpPost(server->port(), "/config", R"({"feature":"on","limit":7})");
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->status, 202);
  ASSERT_TRUE(Eventually(absl::Seconds(2), [&] {
    auto bodies = FromEachWorker(server->port(), "/config", 2);
    if (bodies.size() != 2) return false;
    for (const auto& [pid, body] : bodies) {
      if (!absl::StrContains(body, R"("config":{"feature":"on","limit":7},"version":1)")) return false;
    }
    return true;
  }));
  // A worker started after the broadcast (here: replacing a killed one) gets it too.
  const pid_t victim = server->process().Children().at(0);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  ASSERT_TRUE(server->process().WaitForLog("is listening", absl::Seconds(5), 3));
  const auto bodies = FromEachWorker(server->port(), "/config", 2);
  ASSERT_EQ(bodies.size(), 2u);
  for (const auto& [pid, body] : bodies) {
    EXPECT_NE(pid, victim);
    EXPECT_THAT(body, HasSubstr(R"("version":1)")) << "worker " << pid;
  }
  // Not one JSON object: refused before it reaches the bus — including a body that tries to
  // close the object and forge the envelope's own fields.
  for (const char* body : {"[1,2", "[1,2]", R"({"evil":1},"version":999999,"to":"all")"}) {
    auto bad = HttpPost(server->port(), "/config", body);
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->status, 400) << body;
  }
  auto huge = HttpPost(server->port(), "/config",
                   absl::StrCat(R"({"blob":")", std::string(70 * 1024, 'x'), R"("})"));
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->status, 413);
  for (const auto& [pid, body] : FromEachWorker(server->port(), "/config", 2)) {
    EXPECT_THAT(body, HasSubstr(R"("version":1)")) << "nothing forged got through";
  }
}

TEST(MessageBus, WorkersMessageEachOtherThroughThePrimary) {
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints"});
  ASSERT_TRUE(server.ok()) << server.status();
  // Learn which pid holds which slot.
  std::map<long, long> slot_of;
  for (const auto& [pid, body] : FromEachWorker(server->port(), "/messages", 2)) {
    slot_of[pid] = JsonInt(body, "slot");
  }
  ASSERT_EQ(slot_of.size(), 2u);
  // Direct: to slot 1 by number, from whichever worker takes the POST.
  auto direct = HttpPost(server->port(), "/message/1", "to-slot-one");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(direct->status, 202);
  // Broadcast: every other worker gets it.
  auto all = HttpPost(server->port(), "/message/all", "to-everyone-else");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->status, 202);
  ASSERT_TRUE(Eventually(absl::Seconds(2), [&] {
    const auto bodies = FromEachWorker(server->port(), "/messages", 2);
    bool direct_seen = false, broadcast_seen = false;
    for (const auto& [pid, body] : bodies) {
      if (slot_of[pid] == 1 && absl::StrContains(body, R"("data":"to-slot-one")")) direct_seen = true;
      if (absl::StrContains(body, R"("data":"to-everyone-else")")) broadcast_seen = true;
    }
    return direct_seen && broadcast_seen;
  }));
  const auto bodies = FromEachWorker(server->port(), "/messages", 2);
  for (const auto& [pid, body] : bodies) {
    // A broadcast is never echoed to its sender: it shows up at exactly one of the two.
    if (absl::StrContains(body, "to-everyone-else")) {
      EXPECT_THAT(body, HasSubstr(absl::StrCat("\"from\":", 1 - slot_of[pid])));
    }
  }
}

TEST(MessageBus, MetricsFromAllWorkersAreAggregated) {
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints",
                                         "--metrics_interval=200ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(HttpGet(server->port(), "/").ok());
  ASSERT_TRUE(Eventually(absl::Seconds(3), [&] {
    auto r = HttpGet(server->port(), "/metrics");
    if (!r.ok() || r->status != 200) return false;
    const std::string total = r->body.substr(r->body.find("\"total\""));
    return JsonInt(total, "workers") == 2 && JsonInt(total, "requests") >= 60;
  }));
  auto r = HttpGet(server->port(), "/metrics");
  ASSERT_TRUE(r.ok());
  for (pid_t p : server->process().Children()) {
    EXPECT_THAT(r->body, HasSubstr(absl::StrCat("\"pid\":", p))) << r->body;
  }
  EXPECT_GT(JsonInt(r->body, "rss_bytes"), 1 << 20);
  EXPECT_THAT(r->body, HasSubstr("\"loop_lag_us\":"));
}

TEST(MessageBus, OperatorRoutesAreOffOnThePublicPortWithoutTheTestSwitch) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  for (const char* path : {"/message/all", "/message/0"}) {
    auto r = HttpPost(server->port(), path, R"({"feature":"on"})");
    ASSERT_TRUE(r.ok()) << path << ": " << r.status();
    EXPECT_EQ(r->status, 404) << path;
  }
  auto post_config = HttpPost(server->port(), "/config", R"({"feature":"on"})");
  ASSERT_TRUE(post_config.ok()) << post_config.status();
  EXPECT_EQ(post_config->status, 405) << "GET /config still answers, so not 404";
  auto config = HttpGet(server->port(), "/config");
  ASSERT_TRUE(config.ok());
  EXPECT_THAT(config->body, HasSubstr(R"("config":{})")) << "nothing reached the workers";
}

TEST(MessageBus, AWorkerAbusingTheBusHurtsNobodyElse) {
  // The flood below keeps one worker's loop busy for seconds in a sanitizer build on a loaded
  // machine: long enough for the default watchdog to take it for a hang, which is not what
  // this test is about.
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints",
                                         "--metrics_interval=200ms", "--watchdog_timeout=30s"});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = server->port();
  for (const char* abuse : {"/debug/ipc/garbage?n=500", "/debug/ipc/oversize?n=3",
                            "/debug/ipc/unknown?n=200", "/debug/ipc/spoof?n=5",
                            "/debug/ipc/flood?n=200000"}) {
    // A flood of 200,000 sends takes the (ASan) worker a while: more than the default 3 s
    // under a loaded parallel ctest.
    auto r = HttpPost(port, abuse, "", absl::Seconds(15));
    ASSERT_TRUE(r.ok()) << abuse << ": " << r.status();
    EXPECT_EQ(r->status, 200) << abuse;
    // Everyone keeps answering, quickly, between the abuses.
    for (int i = 0; i < 10; ++i) {
      const absl::Time start = absl::Now();
      auto ok = HttpGet(port, "/health");
      ASSERT_TRUE(ok.ok()) << "after " << abuse << ": " << ok.status();
      EXPECT_EQ(ok->status, 200);
      EXPECT_LT(absl::Now() - start, absl::Seconds(1)) << "after " << abuse;
    }
  }
  // The counters say what was dropped; no worker was replaced for any of it.
  ASSERT_TRUE(Eventually(absl::Seconds(5), [&] {
    auto r = HttpGet(port, "/metrics");
    if (!r.ok() || r->status != 200) return false;
    const std::string bus = r->body.substr(r->body.find("\"bus\""));
    return JsonInt(bus, "bad_json") >= 500 && JsonInt(bus, "oversize") >= 3 &&
           JsonInt(bus, "unknown_type") >= 200 && JsonInt(bus, "spoofed") >= 5;
  })) << HttpGet(port, "/metrics")->body;
  EXPECT_EQ(server->process().Children().size(), 2u);
  EXPECT_FALSE(absl::StrContains(server->process().Stderr(), "died"));

  // Corrupt framing is the one thing that costs the channel: that worker is replaced.
  const auto before = server->process().Children();
  auto corrupt = HttpPost(port, "/debug/ipc/corrupt", "");
  ASSERT_TRUE(corrupt.ok());
  ASSERT_TRUE(server->process().WaitForLog("IPC framing corrupt", absl::Seconds(3)) ||
              server->process().WaitForLog("replacing it", absl::Seconds(3)));
  ASSERT_TRUE(server->process().WaitForLog("is listening", absl::Seconds(5), 3));
  EXPECT_THAT(TraceViolations(server->trace_path(), {}), ::testing::Not(IsEmpty()))
      << "sanity: live workers are reported without the alive set";
  std::set<int> alive;
  for (pid_t p : server->process().Children()) alive.insert(p);
  EXPECT_THAT(TraceViolations(server->trace_path(), alive), IsEmpty());
  bool drained_for_corruption = false;
  for (const auto& rec : server->Trace().records) {
    if (rec.cause == "IPC framing corrupt") drained_for_corruption = true;
  }
  EXPECT_TRUE(drained_for_corruption);
}

}  // namespace
}  // namespace ringleader::testing
