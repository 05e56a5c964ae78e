// HttpServer with no listener: connections handed over (Adopt) are served, and a drain waits
// while hand-offs may still come (HoldDrain), so none arrives after the server finished.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "core/ring.h"
#include "core/ring_test_util.h"
#include "core/unique_fd.h"
#include "net/http_server.h"
#include "net/router.h"
#include "net/tcp_pair_test_util.h"

namespace ringleader {
namespace {

class HttpServerHandOffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Ring::Create();
    ASSERT_TRUE(created.ok());
    ring = std::move(*created);
    router.Get("/", [](const HttpRequest&, HttpResponse& res) { res.body = "{\"ok\":1}"; });
    auto made = HttpServer::Create(*ring, /*listen_fd=*/-1, router, {});
    ASSERT_TRUE(made.ok()) << made.status();
    server = std::move(*made);
    server->Start();
  }
  void TearDown() override {
    if (!drained) {
      server->HoldDrain(false);
      server->Drain([this] { drained = true; });
    }
    RunRingUntil(*ring, [&] { return drained && ring->ops_in_flight() == 0; });
    EXPECT_EQ(ring->ops_in_flight(), 0);
  }
  // Sends one request on `client` and waits for its whole answer.
  std::string Exchange(int client, std::string_view request) {
    EXPECT_EQ(::send(client, request.data(), request.size(), 0),
              static_cast<ssize_t>(request.size()));
    std::string got;
    RunRingUntil(*ring, [&] {
      got += ReadAvailable(client);
      return got.find("{\"ok\":1}") != std::string::npos;
    });
    return got;
  }

  std::unique_ptr<Ring> ring;
  Router router;
  std::unique_ptr<HttpServer> server;
  bool drained = false;
};

TEST_F(HttpServerHandOffTest, AnAdoptedConnectionIsServedAndCounted) {
  TcpPair c = ConnectLoopbackPair();
  server->Adopt(c.server.release());
  const std::string got = Exchange(c.client.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_EQ(server->stats().connections_accepted, 1u);
  EXPECT_EQ(server->stats().open_connections, 1);
}

TEST_F(HttpServerHandOffTest, AHeldDrainWaitsAndServesWhatArrivesMeanwhileWithClose) {
  server->HoldDrain(true);
  server->Drain([this] { drained = true; });
  RunRingFor(*ring, absl::Milliseconds(50));
  EXPECT_FALSE(drained) << "finished while hand-offs could still come";
  // A connection the primary sent before it knew: served, and told to close.
  TcpPair late = ConnectLoopbackPair();
  server->Adopt(late.server.release());
  const std::string got = Exchange(late.client.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  ::shutdown(late.client.get(), SHUT_WR);
  RunRingFor(*ring, absl::Milliseconds(50));
  EXPECT_FALSE(drained) << "still held";
  server->HoldDrain(false);
  ASSERT_TRUE(RunRingUntil(*ring, [&] { return drained; }));
}

TEST_F(HttpServerHandOffTest, AConnectionAfterTheDrainFinishedIsClosedAtOnce) {
  server->Drain([this] { drained = true; });
  ASSERT_TRUE(RunRingUntil(*ring, [&] { return drained; }));
  TcpPair c = ConnectLoopbackPair();
  server->Adopt(c.server.release());
  bool eof = false;
  ASSERT_TRUE(RunRingUntil(*ring, [&] {
    ReadAvailable(c.client.get(), &eof);
    return eof;
  }));
  EXPECT_EQ(server->stats().connections_refused, 1u);
}

}  // namespace
}  // namespace ringleader
