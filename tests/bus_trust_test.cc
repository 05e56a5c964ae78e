// Integration: what a worker writes on the bus is not trusted. The primary stamps the true
// sender on every message it routes, only the primary issues CONFIG_UPDATE, and no flood of
// worker messages turns into a flood of log lines. Raw messages are injected from a worker
// through the builtin app's POST /debug/ipc/raw?n=N (the body, sent N times as is).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;

int Occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(BusTrust, WorkerCannotIssueConfigUpdateToOtherWorkers) {
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints"});
  ASSERT_TRUE(server.ok()) << server.status();
  // The message from the issue, and the same with a "version" so a subscriber would take it.
  for (const char* raw : {R"({"type":"CONFIG_UPDATE","to":"all","config":{"x":1}})",
                          R"({"type":"CONFIG_UPDATE","to":"all","config":{"x":1},"version":9})",
                          R"({"type":"CONFIG_UPDATE","to":0,"config":{"x":1},"version":9})",
                          R"({"type":"CONFIG_UPDATE","to":1,"config":{"x":1},"version":9})"}) {
    auto r = HttpPost(server->port(), "/debug/ipc/raw", raw);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(JsonInt(r->body, "sent"), 1) << r->body;
  }
  ASSERT_TRUE(server->process().WaitForLog("only the primary may send CONFIG_UPDATE",
                                           absl::Seconds(2)))
      << server->process().Stderr();
  absl::SleepFor(absl::Milliseconds(200));  // had anything been routed, it has arrived by now
  const auto bodies = FromEachWorker(server->port(), "/config", 2);
  ASSERT_EQ(bodies.size(), 2u);
  for (const auto& [pid, body] : bodies) {
    EXPECT_THAT(body, HasSubstr(R"("config":{},"version":0)")) << "worker " << pid;
  }
  // The legitimate way still works: ask the primary, which broadcasts to everyone.
  auto asked = HttpPost(server->port(), "/config", R"({"x":2})");
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->status, 202);
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] {
    const auto now = FromEachWorker(server->port(), "/config", 2);
    if (now.size() != 2) return false;
    for (const auto& [pid, body] : now) {
      if (!absl::StrContains(body, R"("config":{"x":2},"version":1)")) return false;
    }
    return true;
  }));
}

TEST(BusTrust, RoutedMessagesCarryTheTrueSender) {
  auto server = RingleaderServer::Start({"--workers=2", "--debug_endpoints"});
  ASSERT_TRUE(server.ok()) << server.status();
  // No "from" (would read as the primary), a non-number "from", and two "from" keys.
  auto r = HttpPost(server->port(), "/debug/ipc/raw",
                R"({"type":"USER_MESSAGE","to":"all","data":"no-from"})");
  ASSERT_TRUE(r.ok()) << r.status();
  const long sender = JsonInt(r->body, "slot");
  ASSERT_TRUE(sender == 0 || sender == 1) << r->body;
  ASSERT_TRUE(HttpPost(server->port(), "/debug/ipc/raw",
                   R"({"type":"USER_MESSAGE","to":"all","from":"primary","data":"odd-from"})")
                  .ok());
  ASSERT_TRUE(Eventually(absl::Seconds(2), [&] {
    for (const auto& [pid, body] : FromEachWorker(server->port(), "/messages", 2)) {
      if (absl::StrContains(body, "no-from")) return true;
    }
    return false;
  }));
  absl::SleepFor(absl::Milliseconds(100));
  for (const auto& [pid, body] : FromEachWorker(server->port(), "/messages", 2)) {
    EXPECT_THAT(body, ::testing::Not(HasSubstr(R"("from":-1)"))) << "worker " << pid;
    if (JsonInt(body, "slot") == sender) continue;
    // Whichever worker sent each one, the receiver sees that worker's slot, never the primary.
    EXPECT_THAT(body, ::testing::AnyOf(HasSubstr(R"("from":0,"data":"no-from")"),
                                       HasSubstr(R"("from":1,"data":"no-from")")))
        << body;
  }
}

TEST(BusTrust, RepeatedLifecycleMessagesLogOnlyOnTheFirstTenthAndHundredth) {
  auto server = RingleaderServer::Start({"--workers=1", "--debug_endpoints"});
  ASSERT_TRUE(server.ok()) << server.status();
  for (const char* raw : {R"({"type":"listening"})", R"({"type":"online"})"}) {
    auto r = HttpPost(server->port(), "/debug/ipc/raw?n=500", raw);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(JsonInt(r->body, "sent"), 500) << r->body;
  }
  // 1,000 refused events from one worker: lines for the 1st, 10th, 100th and 1000th only.
  ASSERT_TRUE(server->process().WaitForLog("1000 so far", absl::Seconds(3)))
      << server->process().Stderr();
  const std::string log = server->process().Stderr();
  EXPECT_EQ(Occurrences(log, "refused event"), 4) << log;
  // Worker-caused config broadcasts are throttled by the same rule.
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(HttpPost(server->port(), "/config", "{}").ok());
  ASSERT_TRUE(Eventually(absl::Seconds(3), [&] {
    auto r = HttpGet(server->port(), "/config");
    return r.ok() && absl::StrContains(r->body, R"("version":12)");
  }));
  EXPECT_EQ(Occurrences(server->process().Stderr(), "broadcasting"), 2)
      << server->process().Stderr();
  auto health = HttpGet(server->port(), "/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace ringleader::testing
