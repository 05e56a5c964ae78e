// The request path allocates nothing per request once warm: parse (llhttp), route, serialize,
// with the parser's request, the response and the output buffer reused. Nor does a connection
// once the server is warm: closed connections are kept and serve the next ones. Counted by
// replacing the global allocation functions in this test binary only.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <thread>

#include "core/ring.h"
#include "net/http_parser.h"
#include "net/http_response.h"
#include "net/http_server.h"
#include "net/listener.h"
#include "net/loopback_exchange_test_util.h"
#include "net/router.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace ringleader {
namespace {

class ReuseSink final : public HttpParser::Sink {
 public:
  explicit ReuseSink(Router& router) : router_(router) {}
  void OnExpectContinue() noexcept override {}
  AfterRequest OnRequest(HttpRequest& request) noexcept override {
    ++requests;
    response_.Reset();
    router_.Route(request, response_);
    AppendResponse(out, response_, FramingFor(request, false, "Thu, 01 Jan 2026 00:00:00 GMT"));
    return AfterRequest::kContinue;
  }
  std::string out;
  long requests = 0;

 private:
  Router& router_;
  HttpResponse response_;
};

TEST(HttpSteadyState, NoAllocationPerRequestOnceWarm) {
  Router router;
  router.Get("/", [](const HttpRequest&, HttpResponse& res) { res.body.append("{\"worker\":4242}"); });
  ReuseSink sink(router);
  HttpParser parser({}, sink);
  const std::string request =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";
  for (int i = 0; i < 100; ++i) {  // warm-up: buffers reach their working size
    sink.out.clear();
    ASSERT_EQ(parser.Feed(request), 0);
  }
  const long before = g_allocations.load();
  for (int i = 0; i < 10000; ++i) {
    sink.out.clear();
    ASSERT_EQ(parser.Feed(request), 0);
  }
  EXPECT_EQ(g_allocations.load() - before, 0) << "allocations in 10000 warm requests";
  EXPECT_EQ(sink.requests, 10100);
  EXPECT_NE(sink.out.find("{\"worker\":4242}"), std::string::npos);
}

// One connection as a client without pooling makes it; syscalls only, so the client adds no
// allocation to the count.
bool OneConnection(uint16_t port, std::string_view request =
    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: wrk\r\nConnection: close\r\n\r\n") {
  return ExchangeOnLoopback(port, request);
}

TEST(HttpSteadyState, NoAllocationPerConnectionOnceWarm) {
  Router router;
  router.Get("/", [](const HttpRequest&, HttpResponse& res) { res.body.append("{\"worker\":4242}"); });
  auto listener = OpenListener({.host = "127.0.0.1", .port = 0});
  ASSERT_TRUE(listener.ok()) << listener.status();
  const uint16_t port = *LocalPort(listener->get());
  std::unique_ptr<Ring> ring;
  std::unique_ptr<HttpServer> server;
  std::atomic<bool> ready{false};
  std::atomic<bool> quit{false};
  // The ring runs in the thread that made it (single issuer); a client request stops it.
  std::thread loop([&] {
    ring = std::move(*Ring::Create());
    server = std::move(*HttpServer::Create(*ring, listener->get(), router, {}));
    router.Get("/quit", [&](const HttpRequest&, HttpResponse&) {
      server->Drain([&] { ring->Stop(); });
    });
    server->Start();
    ready = true;
    EXPECT_TRUE(ring->Run().ok());
    quit = true;
  });
  while (!ready) std::this_thread::yield();
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(OneConnection(port));  // warm-up
  const long before = g_allocations.load();
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(OneConnection(port));
  const long allocations = g_allocations.load() - before;
  EXPECT_EQ(server->stats().connections_accepted, 2200u);
  // Stop the loop through a request of its own.
  EXPECT_TRUE(OneConnection(port, "GET /quit HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  loop.join();
  EXPECT_TRUE(quit);
  EXPECT_EQ(allocations, 0) << "allocations in 2000 warm connections";
}

}  // namespace
}  // namespace ringleader
