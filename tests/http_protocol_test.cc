// Integration: HTTP/1.1 and 1.0 behaviour of a worker over real sockets — keep-alive reuse,
// pipelining, HEAD, request bodies (length and chunked), 100-continue, Connection: close.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"

namespace ringleader::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class HttpProtocol : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto s = RingleaderServer::Start({"--workers=1"});
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = new RingleaderServer(*std::move(s));
  }
  static void TearDownTestSuite() { delete server_; }
  ClientConnection Connect() {
    ClientConnection c;
    EXPECT_TRUE(c.Connect(server_->port()).ok());
    return c;
  }
  static RingleaderServer* server_;
};
RingleaderServer* HttpProtocol::server_ = nullptr;

TEST_F(HttpProtocol, KeepAliveReusesOneConnection) {
  ClientConnection c = Connect();
  long worker = -1;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").ok());
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("Connection"), "");  // 1.1 keep-alive is implicit
    if (worker < 0) worker = JsonInt(r->body, "worker");
    EXPECT_EQ(JsonInt(r->body, "worker"), worker);
  }
  EXPECT_FALSE(c.PeerClosed(absl::Milliseconds(100)));
}

TEST_F(HttpProtocol, ResponsesCarryServerDateTypeAndLength) {
  auto r = HttpGet(server_->port(), "/health");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->Header("Server"), "ringleader");
  EXPECT_THAT(r->Header("Date"), HasSubstr(" GMT"));
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(r->Header("Content-Length"), std::to_string(r->body.size()));
  EXPECT_EQ(r->Header("Connection"), "close");  // the client asked for close
}

TEST_F(HttpProtocol, TenPipelinedRequestsInOneWriteAreAnsweredInOrder) {
  ClientConnection c = Connect();
  std::string batch;
  for (int i = 0; i < 10; ++i) {
    // Alternate paths so an out-of-order answer would show.
    absl::StrAppend(&batch, i % 2 == 0 ? "GET /health" : "GET /missing-", i % 2 == 0 ? "" : std::to_string(i),
                    " HTTP/1.1\r\nHost: t\r\n\r\n");
  }
  ASSERT_TRUE(c.Send(batch).ok());
  for (int i = 0; i < 10; ++i) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r.ok()) << "response " << i << ": " << r.status();
    EXPECT_EQ(r->status, i % 2 == 0 ? 200 : 404) << "response " << i;
  }
}

TEST_F(HttpProtocol, PipelinedDelayedResponseKeepsItsPlace) {
  ClientConnection c = Connect();
  ASSERT_TRUE(c.Send("GET /delay/200 HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  auto first = c.ReadResponse();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(first->body, HasSubstr("\"delayed_ms\":200"));
  auto second = c.ReadResponse();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(second->body, HasSubstr("\"status\":\"ok\""));
}

TEST_F(HttpProtocol, Http10ClosesByDefaultAndKeepsAliveWhenAsked) {
  ClientConnection plain = Connect();
  ASSERT_TRUE(plain.Send("GET / HTTP/1.0\r\n\r\n").ok());
  auto r = plain.ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(plain.PeerClosed(absl::Seconds(2)));

  ClientConnection kept = Connect();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(kept.Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
    auto k = kept.ReadResponse();
    ASSERT_TRUE(k.ok()) << k.status();
    EXPECT_EQ(k->Header("Connection"), "keep-alive");
  }
}

TEST_F(HttpProtocol, HeadHasLengthButNoBody) {
  ClientConnection c = Connect();
  ASSERT_TRUE(c.Send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\nGET /health HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  auto head = c.ReadResponse(/*head_only=*/true);
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto get = c.ReadResponse();
  ASSERT_TRUE(get.ok()) << get.status();
  // The HEAD response announced exactly the GET body's length, and sent none of it.
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get->body.size()));
  EXPECT_THAT(get->head, StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpProtocol, ContentLengthAndChunkedBodiesAreRead) {
  ClientConnection c = Connect();
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world").ok());
  auto sized = c.ReadResponse();
  ASSERT_TRUE(sized.ok()) << sized.status();
  EXPECT_EQ(JsonInt(sized->body, "received"), 11);

  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n").ok());
  auto chunked = c.ReadResponse();
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  EXPECT_EQ(chunked->status, 200);
  EXPECT_EQ(JsonInt(chunked->body, "received"), 11);

  // A route that wants no body still answers, and the body does not leak into the next request.
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcdGET / HTTP/1.1\r\nHost: t\r\n\r\n").ok());
  auto ignored = c.ReadResponse();
  ASSERT_TRUE(ignored.ok());
  EXPECT_EQ(ignored->status, 200);
  auto next = c.ReadResponse();
  ASSERT_TRUE(next.ok());
  EXPECT_GT(JsonInt(next->body, "worker"), 0);
}

TEST_F(HttpProtocol, ExpectContinueGetsInterimResponseBeforeTheBody) {
  ClientConnection c = Connect();
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n").ok());
  auto interim = c.ReadResponse(/*head_only=*/true);
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("12345").ok());
  auto final_reply = c.ReadResponse();
  ASSERT_TRUE(final_reply.ok()) << final_reply.status();
  EXPECT_EQ(final_reply->status, 200);
  EXPECT_EQ(JsonInt(final_reply->body, "received"), 5);
}

TEST_F(HttpProtocol, ConnectionCloseFromTheClientIsHonoured) {
  ClientConnection c = Connect();
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").ok());
  auto r = c.ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.PeerClosed(absl::Seconds(2)));
}

TEST_F(HttpProtocol, SlowResponseOnAClosingConnectionIsNotCutShort) {
  // Longer than the 2 s linger bound: the response is still being prepared, not lingering.
  ClientConnection closing = Connect();
  closing.SetTimeout(absl::Seconds(6));
  ASSERT_TRUE(closing.Send("GET /delay/2600 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").ok());
  ClientConnection http10 = Connect();
  http10.SetTimeout(absl::Seconds(6));
  ASSERT_TRUE(http10.Send("GET /delay/2500 HTTP/1.0\r\n\r\n").ok());
  for (ClientConnection* c : {&closing, &http10}) {
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_THAT(r->body, HasSubstr("delayed_ms"));
  }
}

TEST_F(HttpProtocol, AnErrorWaitsBehindAnEarlierDelayedResponse) {
  ClientConnection c = Connect();
  ASSERT_TRUE(c.Send("GET /delay/300 HTTP/1.1\r\nHost: t\r\n\r\n\x01\x02 garbage\r\n\r\n").ok());
  auto first = c.ReadResponse();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->status, 200) << "responses must keep request order";
  auto second = c.ReadResponse();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->status, 400);
  EXPECT_TRUE(c.PeerClosed(absl::Seconds(3)));
}

}  // namespace
}  // namespace ringleader::testing
