// HttpServer with no listener: connections handed over (Adopt) are served, and a drain waits
// while hand-offs may still come (HoldDrain), so none arrives after the server finished.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "core/ring.h"
#include "core/ring_test_util.h"
#include "core/unique_fd.h"
#include "net/http_server.h"
#include "net/router.h"

namespace ringleader {
namespace {

// A loopback TCP connection: the client's end and the server's (as the primary would hand it).
struct TcpPair {
  UniqueFd client;
  UniqueFd server;
};

TcpPair Connect() {
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(::listen(listener.get(), 4), 0);
  EXPECT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  TcpPair pair{.client = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))};
  EXPECT_EQ(::connect(pair.client.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
  pair.server = UniqueFd(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  return pair;
}

// What the client has received so far, without blocking.
std::string ReadAvailable(int fd, bool* eof = nullptr) {
  std::string out;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n == 0 && eof != nullptr) *eof = true;
    return out;
  }
}

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
  TcpPair c = Connect();
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
  TcpPair late = Connect();
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
  TcpPair c = Connect();
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
