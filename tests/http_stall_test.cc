// Integration: connections that stall in the awkward places — stray line ends only, a burst of
// pipelined requests and an early FIN, a request that starts in the read that ends another —
// are each bounded by the right timeout and lose no request.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

int CountOccurrences(std::string_view haystack, std::string_view needle) {
  int count = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

TEST(HttpStall, BareLineEndsDoNotKeepAConnectionPastTheIdleTimeout) {
  auto server = RingleaderServer::Start({"--workers=1", "--keepalive_timeout=1s"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  const absl::Time start = absl::Now();
  // Line ends that start no request neither disarm the idle deadline nor extend it.
  for (int i = 0; i < 4; ++i) {
    if (!c.Send("\r\n").ok()) break;  // already closed: fine
    absl::SleepFor(absl::Milliseconds(300));
  }
  EXPECT_TRUE(c.PeerClosed(absl::Seconds(3))) << "stray CRLFs kept the connection open";
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST(HttpStall, EveryRequestSentBeforeTheClientsFinIsAnswered) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  // More than the 64 answers a connection may have queued: the worker holds the rest while
  // these drain, and the FIN arrives while it is holding.
  constexpr int kRequests = 300;
  std::string burst;
  for (int i = 0; i < kRequests; ++i) burst += "GET /delay/10 HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(c.Send(burst).ok());
  ASSERT_EQ(::shutdown(c.fd(), SHUT_WR), 0);
  c.SetTimeout(absl::Seconds(15));
  const std::string all = c.ReadToEof();
  EXPECT_EQ(CountOccurrences(all, "HTTP/1.1 200 OK\r\n"), kRequests);
  EXPECT_EQ(CountOccurrences(all, "\"delayed_ms\":10"), kRequests);
}

TEST(HttpStall, AnswersBeforeAHeldCloseRequestSurviveBytesSentAfterIt) {
  auto server = RingleaderServer::Start({"--workers=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientConnection c;
  // A small window: our answers wait in the worker's send buffer while we do not read.
  ASSERT_TRUE(c.Connect(server->port(), absl::Seconds(3), 4096).ok());
  // 64 delayed requests hold the connection; the request that closes it waits among the held
  // bytes, and more bytes arrive after it, unread when the worker closes.
  constexpr int kDelayed = 64;
  std::string burst;
  for (int i = 0; i < kDelayed; ++i) burst += "GET /delay/300 HTTP/1.1\r\nHost: t\r\n\r\n";
  burst += "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(c.Send(burst).ok());
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  absl::SleepFor(absl::Seconds(1));  // the worker answers and closes while we do not read
  c.SetTimeout(absl::Seconds(5));
  const std::string all = c.ReadToEof();
  EXPECT_EQ(CountOccurrences(all, "HTTP/1.1 200 OK\r\n"), kDelayed + 1)
      << "a reset destroyed answers that were already written";
}

TEST(HttpStall, EachPipelinedRequestGetsItsOwnHeaderTimeout) {
  auto server = RingleaderServer::Start({"--workers=1", "--header_timeout=2s"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClientConnection c;
  ASSERT_TRUE(c.Connect(server->port()).ok());
  // A starts at 0 s and ends at 1.5 s in the read that starts B; B's headers end at 2.5 s,
  // after A's deadline (2 s) and well before its own (3.5 s).
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHo").ok());
  absl::SleepFor(absl::Milliseconds(1500));
  ASSERT_TRUE(c.Send("st: t\r\n\r\nGET /health HTTP/1.1\r\n").ok());
  absl::SleepFor(absl::Milliseconds(1000));
  c.Send("Host: t\r\n\r\n").IgnoreError();  // a 408 may have closed the connection already
  c.SetTimeout(absl::Seconds(3));
  auto a = c.ReadResponse();
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->status, 200);
  auto b = c.ReadResponse();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->status, 200) << "B inherited A's header deadline";
}

}  // namespace
}  // namespace ringleader::testing
