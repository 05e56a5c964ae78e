// HttpReply: async answers are given exactly once, in request order, never to a connection
// that has gone, and a reply nobody answers still reaches the client as a 500.
#include "net/http_reply.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>


#include "core/ring.h"
#include "core/ring_test_util.h"
#include "net/http_server.h"
#include "net/router.h"
#include "net/tcp_pair_test_util.h"

namespace ringleader {
namespace {

HttpResponse Body(std::string body) {
  HttpResponse res;
  res.Json(200, std::move(body));
  return res;
}

TEST(HttpReplyLink, OnlyTheFirstAnswerCounts) {
  std::vector<int> delivered;
  PendingReply pending([&](HttpResponse&& r) noexcept { delivered.push_back(r.status); });
  HttpReply reply(pending);
  EXPECT_TRUE(reply.waiting());
  reply.Send(Body("{}"));
  reply.Send(ErrorResponse(404));
  EXPECT_FALSE(reply.waiting());
  EXPECT_EQ(delivered, std::vector<int>{200});
}

TEST(HttpReplyLink, AReplyDroppedUnsentAnswers500) {
  std::vector<int> delivered;
  PendingReply pending([&](HttpResponse&& r) noexcept { delivered.push_back(r.status); });
  { HttpReply reply(pending); }
  EXPECT_EQ(delivered, std::vector<int>{500});
}

TEST(HttpReplyLink, MovesKeepTheLinkAndAnOverwrittenReplyAnswers500) {
  std::vector<int> first, second;
  PendingReply a([&](HttpResponse&& r) noexcept { first.push_back(r.status); });
  PendingReply b([&](HttpResponse&& r) noexcept { second.push_back(r.status); });
  HttpReply ra(a);
  HttpReply moved(std::move(ra));
  EXPECT_FALSE(ra.waiting());  // NOLINT(bugprone-use-after-move): moved-from is detached
  HttpReply rb(b);
  moved = std::move(rb);  // a loses its reply: answered 500
  EXPECT_EQ(first, std::vector<int>{500});
  moved.Send(Body("{}"));
  EXPECT_EQ(second, std::vector<int>{200});
}

TEST(HttpReplyLink, AnAnswerAfterTheConnectionWentGoesNowhere) {
  auto pending = std::make_unique<PendingReply>([](HttpResponse&&) noexcept { FAIL(); });
  HttpReply reply(*pending);
  pending.reset();
  EXPECT_FALSE(reply.waiting());
  reply.Send(Body("{}"));  // must not touch the freed connection (ASan would say)
}

// A server whose GET /later keeps its replies for the test to answer; GET /now and GET /inline
// answer at once (the latter through an async handler).
class AsyncRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Ring::Create();
    ASSERT_TRUE(created.ok());
    ring = std::move(*created);
    router.HandleAsync("GET", "/later", [this](const HttpRequest&, HttpReply reply) {
      replies.push_back(std::move(reply));
    });
    router.HandleAsync("GET", "/inline", [](const HttpRequest&, HttpReply reply) {
      reply.Send(Body("\"inline\""));
    });
    router.Get("/now", [](const HttpRequest&, HttpResponse& res) { res.body = "\"now\""; });
    auto made = HttpServer::Create(*ring, /*listen_fd=*/-1, router, {});
    ASSERT_TRUE(made.ok()) << made.status();
    server = std::move(*made);
    server->Start();
    pair = ConnectLoopbackPair();
    server->Adopt(pair.server.release());
  }
  void TearDown() override {
    replies.clear();  // answers 500 to whatever is left
    if (pair.client) ::shutdown(pair.client.get(), SHUT_WR);  // lets the drain close at once
    if (!drained) server->Drain([this] { drained = true; });
    RunRingUntil(*ring, [&] { return drained && ring->ops_in_flight() == 0; });
    EXPECT_EQ(ring->ops_in_flight(), 0);
  }
  void Send(std::string_view bytes) {
    ASSERT_EQ(::send(pair.client.get(), bytes.data(), bytes.size(), 0),
              static_cast<ssize_t>(bytes.size()));
  }
  // Runs the ring until the client has `count` responses (or a bounded wait), returns all bytes.
  std::string Receive(size_t count) {
    RunRingUntil(*ring, [&] {
      received += ReadAvailable(pair.client.get());
      return Responses() >= count;
    });
    return received;
  }
  // The client sends `request` (to /later), then resets; its connection is released at once and
  // the reply stops waiting.
  void ExpectAResetReleases(std::string_view request);
  size_t Responses() const {
    size_t n = 0;
    for (size_t at = received.find("HTTP/1.1 "); at != std::string::npos;
         at = received.find("HTTP/1.1 ", at + 1)) {
      ++n;
    }
    return n;
  }

  std::unique_ptr<Ring> ring;
  Router router;
  std::unique_ptr<HttpServer> server;
  TcpPair pair;
  std::vector<HttpReply> replies;
  std::string received;
  bool drained = false;
};

constexpr std::string_view kLater = "GET /later HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr std::string_view kNow = "GET /now HTTP/1.1\r\nHost: x\r\n\r\n";

TEST_F(AsyncRouteTest, PipelinedAnswersLeaveInRequestOrderWhateverOrderTheyAreGiven) {
  Send(std::string(kLater) + std::string(kNow) + std::string(kLater));
  RunRingUntil(*ring, [&] { return replies.size() == 2; });
  ASSERT_EQ(replies.size(), 2u);
  replies[1].Send(Body("\"second\""));
  RunRingFor(*ring, absl::Milliseconds(20));
  EXPECT_EQ(Receive(0), "") << "answered before the first request was";
  replies[0].Send(Body("\"first\""));
  const std::string got = Receive(3);
  const size_t first = got.find("\"first\""), now = got.find("\"now\""),
               second = got.find("\"second\"");
  ASSERT_NE(second, std::string::npos) << got;
  EXPECT_LT(first, now);
  EXPECT_LT(now, second);
}

TEST_F(AsyncRouteTest, AnAnswerGivenBeforeTheHandlerReturnsIsServedAtOnce) {
  Send("GET /inline HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string got = Receive(1);
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find("\"inline\""), std::string::npos) << got;
}

TEST_F(AsyncRouteTest, AReplyNobodyAnswersReachesTheClientAs500) {
  Send(kLater);
  RunRingUntil(*ring, [&] { return replies.size() == 1; });
  replies.clear();
  EXPECT_NE(Receive(1).find("HTTP/1.1 500"), std::string::npos) << received;
}

TEST_F(AsyncRouteTest, AClientThatResetsBeforeItsAnswerIsReleasedAndTheAnswerGoesNowhere) {
  ExpectAResetReleases(kLater);
}

TEST_F(AsyncRouteTest, AClientThatAskedToCloseAndResetsBeforeItsAnswerIsReleasedToo) {
  // Its connection is closing while the answer is prepared: still watched for the reset.
  ExpectAResetReleases("GET /later HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

void AsyncRouteTest::ExpectAResetReleases(std::string_view request) {
  Send(request);
  RunRingUntil(*ring, [&] { return replies.size() == 1; });
  const linger reset_on_close{.l_onoff = 1, .l_linger = 0};
  ASSERT_EQ(::setsockopt(pair.client.get(), SOL_SOCKET, SO_LINGER, &reset_on_close,
                         sizeof reset_on_close),
            0);
  pair.client.Reset();
  ASSERT_TRUE(RunRingUntil(*ring, [&] { return server->stats().open_connections == 0; }));
  EXPECT_FALSE(replies[0].waiting());
  replies[0].Send(Body("{}"));  // after the connection was freed: nothing happens
  RunRingFor(*ring, absl::Milliseconds(5));
}

TEST_F(AsyncRouteTest, AClientThatOnlyStoppedSendingStillGetsItsAnswer) {
  Send(kLater);
  RunRingUntil(*ring, [&] { return replies.size() == 1; });
  ::shutdown(pair.client.get(), SHUT_WR);  // a half-close: it still reads
  RunRingFor(*ring, absl::Milliseconds(20));
  replies[0].Send(Body("\"kept\""));
  EXPECT_NE(Receive(1).find("\"kept\""), std::string::npos) << received;
  EXPECT_TRUE(RunRingUntil(*ring, [&] { return server->stats().open_connections == 0; }));
}

TEST_F(AsyncRouteTest, ADrainWaitsForAPendingAnswerAndSendsItWithClose) {
  Send(kLater);
  RunRingUntil(*ring, [&] { return replies.size() == 1; });
  server->Drain([this] { drained = true; });
  RunRingFor(*ring, absl::Milliseconds(20));
  EXPECT_FALSE(drained) << "finished with an answer still owed";
  replies[0].Send(Body("\"late\""));
  const std::string got = Receive(1);
  EXPECT_NE(got.find("\"late\""), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  ::shutdown(pair.client.get(), SHUT_WR);
  EXPECT_TRUE(RunRingUntil(*ring, [&] { return drained; }));
}

}  // namespace
}  // namespace ringleader
