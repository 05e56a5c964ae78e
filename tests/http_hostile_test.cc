// Integration: hostile or broken clients get a clear status, their connection is closed, and
// the worker keeps serving everyone else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

struct HostileCase {
  const char* name;
  std::string request;
  int expected_status;
};

class HttpHostile : public ::testing::TestWithParam<HostileCase> {
 protected:
  static void SetUpTestSuite() {
    auto s = RingleaderServer::Start({"--workers=1", "--header_timeout=1s"});
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = new RingleaderServer(*std::move(s));
  }
  static void TearDownTestSuite() { delete server_; }
  static RingleaderServer* server_;
};
RingleaderServer* HttpHostile::server_ = nullptr;

TEST_P(HttpHostile, GetsItsStatusIsClosedAndOthersAreServed) {
  const HostileCase& c = GetParam();
  ClientConnection bad;
  ASSERT_TRUE(bad.Connect(server_->port()).ok());
  ASSERT_TRUE(bad.Send(c.request).ok());
  auto reply = bad.ReadResponse();
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, c.expected_status);
  EXPECT_EQ(reply->Header("Connection"), "close");
  EXPECT_EQ(reply->Header("Content-Type"), "application/json");
  EXPECT_NE(reply->body.find(absl::StrCat("\"status\":", c.expected_status)), std::string::npos);
  EXPECT_TRUE(bad.PeerClosed(absl::Seconds(3))) << "the connection must be closed";

  auto good = HttpGet(server_->port(), "/health");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->status, 200);
}

std::string BigHeaders() {
  std::string r = "GET / HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 40; ++i) absl::StrAppend(&r, "X-Filler-", i, ": ", std::string(500, 'a'), "\r\n");
  return r + "\r\n";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HttpHostile,
    ::testing::Values(
        HostileCase{"MalformedRequestLine", "GET /\x01 HTTP/1.1\r\nHost: t\r\n\r\n", 400},
        HostileCase{"GarbageLine", "\x16\x03\x01 hello\r\n\r\n", 400},
        HostileCase{"MalformedHeader", "GET / HTTP/1.1\r\nHost t\r\n\r\n", 400},
        HostileCase{"HeadersOverLimit", BigHeaders(), 431},
        HostileCase{"BodyOverLimitByLength",
                    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", 413},
        HostileCase{"BodyOverLimitChunked",
                    "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "200000\r\n" + std::string(1100000, 'b'),
                    413},
        HostileCase{"UnknownMethod", "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n", 501},
        HostileCase{"UnsupportedTransferEncoding",
                    "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nxx", 400},
        HostileCase{"SmugglingLengthAndChunked",
                    "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    400},
        HostileCase{"HeaderTimeout", "GET / HTTP/1.1\r\nHost: t\r\n", 408}),
    [](const ::testing::TestParamInfo<HostileCase>& info) { return std::string(info.param.name); });

TEST(HttpLimits, ConnectionsOverTheLimitAreAcceptedAndClosedCleanly) {
  auto server = RingleaderServer::Start({"--workers=1", "--max_connections=4"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<ClientConnection> held(4);
  for (auto& c : held) {
    ASSERT_TRUE(c.Connect(server->port()).ok());
    ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").ok());
    ASSERT_TRUE(c.ReadResponse().ok());
  }
  ClientConnection extra;
  ASSERT_TRUE(extra.Connect(server->port()).ok());
  EXPECT_TRUE(extra.PeerClosed(absl::Seconds(2))) << "the fifth connection must be closed";
  // The held ones still work, and once one goes, a new client gets in.
  ASSERT_TRUE(held[0].Send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  EXPECT_TRUE(held[0].ReadResponse().ok());
  held.pop_back();
  EXPECT_TRUE(Eventually(absl::Seconds(2), [&] {
    auto r = HttpGet(server->port(), "/health", absl::Milliseconds(300));
    return r.ok() && r->status == 200;
  }));
}

}  // namespace
}  // namespace ringleader::testing
