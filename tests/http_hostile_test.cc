// Integration: hostile or broken clients get a clear status, their connection is closed, and
// the worker keeps serving everyone else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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

// Few header bytes that are not whitespace: every byte counts toward the 16 KiB limit.
std::string MegabyteOfHeaderWhitespace() {
  return "GET / HTTP/1.1\r\nHost: t\r\na:" + std::string(1 << 20, ' ') + "\r\n\r\n";
}

// Small, but one more than the 100 headers a request may carry.
std::string TooManyHeaders() {
  std::string r = "GET / HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 100; ++i) absl::StrAppend(&r, "X-", i, ": v\r\n");
  return r + "\r\n";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HttpHostile,
    ::testing::Values(
        HostileCase{"MalformedRequestLine", "GET /\x01 HTTP/1.1\r\nHost: t\r\n\r\n", 400},
        HostileCase{"GarbageLine", "\x16\x03\x01 hello\r\n\r\n", 400},
        HostileCase{"MalformedHeader", "GET / HTTP/1.1\r\nHost t\r\n\r\n", 400},
        HostileCase{"HeadersOverLimit", BigHeaders(), 431},
        HostileCase{"HeaderWhitespaceOverLimit", MegabyteOfHeaderWhitespace(), 431},
        HostileCase{"HeaderCountOverLimit", TooManyHeaders(), 431},
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

TEST(HttpLimits, AClientThatPipelinesButNeverReadsIsBoundedAndCut) {
  auto server = RingleaderServer::Start({"--workers=1", "--keepalive_timeout=1s"});
  ASSERT_TRUE(server.ok()) << server.status();
  const pid_t worker = server->process().Children().at(0);
  ASSERT_TRUE(HttpGet(server->port(), "/").ok());
  const long rss_before = ResidentKiB(worker);

  // A small receive window and no reads: our answers pile up unless the worker stops reading.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in addr = LoopbackAddress(server->port());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string burst;
  for (int i = 0; i < 1000; ++i) burst += "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
  size_t sent = 0;
  const absl::Time until = absl::Now() + absl::Seconds(3);
  while (absl::Now() < until) {
    const ssize_t n = ::send(fd, burst.data(), burst.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && errno != EAGAIN) {
      break;  // the server gave up on us: fine
    } else {
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  const long rss_after = ResidentKiB(worker);
  std::printf("sent %zu bytes of pipelined requests; worker RSS %ld -> %ld KiB\n", sent,
              rss_before, rss_after);
  EXPECT_LT(rss_after - rss_before, 64 * 1024) << "the worker's memory must stay bounded";

  // Everyone else is served meanwhile, and the worker is the same process (not killed).
  auto other = HttpGet(server->port(), "/health", absl::Seconds(1));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(JsonInt(other->body, "pid"), worker);
  // The stuck connection is dropped once its answers make no progress for a keep-alive period.
  pollfd p{fd, POLLIN, 0};
  bool closed = false;
  const absl::Time wait_until = absl::Now() + absl::Seconds(5);
  char sink[65536];
  while (!closed && absl::Now() < wait_until) {
    if (::poll(&p, 1, 100) > 0) {
      // Read only to notice the close; a read here is what the abuser never did.
      const ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN)) closed = true;
      if (n > 0) continue;
    }
  }
  ::close(fd);
  EXPECT_TRUE(closed) << "the never-reading client should be disconnected";
}

}  // namespace
}  // namespace ringleader::testing
