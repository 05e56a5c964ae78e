// Integration: 500 connections that send half a request line and stop do not slow a normal
// client, and are answered 408 and closed once the header timeout passes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

TEST(SlowClients, FiveHundredTricklersDoNotHurtANormalClient) {
  auto server = RingleaderServer::Start({"--workers=2", "--header_timeout=2s"});
  ASSERT_TRUE(server.ok()) << server.status();

  std::vector<ClientConnection> slow(500);
  for (auto& c : slow) {
    ASSERT_TRUE(c.Connect(server->port()).ok());
    ASSERT_TRUE(c.Send("GET /hea").ok());
  }
  const absl::Time opened = absl::Now();

  // A normal client, meanwhile: every request answered, and quickly.
  absl::Duration worst = absl::ZeroDuration();
  for (int i = 0; i < 50; ++i) {
    const absl::Time start = absl::Now();
    auto r = HttpGet(server->port(), "/health");
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status, 200);
    worst = std::max(worst, absl::Now() - start);
  }
  EXPECT_LT(worst, absl::Milliseconds(250)) << "a normal request took " << worst;
  std::printf("normal client worst latency with 500 slow connections: %s\n",
              absl::FormatDuration(worst).c_str());

  // The slow ones: 408 and closed after the timeout (2 s, checked on a 250 ms tick).
  int timed_out = 0;
  for (auto& c : slow) {
    c.SetTimeout(absl::Seconds(5));
    auto r = c.ReadResponse();
    if (r.ok() && r->status == 408 && c.PeerClosed(absl::Seconds(1))) ++timed_out;
  }
  const absl::Duration waited = absl::Now() - opened;
  EXPECT_EQ(timed_out, 500);
  EXPECT_GE(waited, absl::Milliseconds(1900));
  EXPECT_LT(waited, absl::Seconds(5));
  auto after = HttpGet(server->port(), "/");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace ringleader::testing
