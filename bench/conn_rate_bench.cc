// Connection-per-request cost through the library, for regressions: a worker's HttpServer on its
// own ring (in a thread) and a client that, per iteration, connects over loopback, sends one
// request with "Connection: close", reads the answer to EOF and closes — what a client without
// pooling, a health checker or a short script does. Reports connections/s and, since client and
// server share the machine, the server thread's CPU per connection (what bench/compare judges
// servers by).
//   build/release/bin/conn_rate_bench
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <memory>
#include <string_view>
#include <thread>

#include "core/ring.h"
#include "core/unique_fd.h"
#include "net/http_server.h"
#include "net/listener.h"
#include "net/loopback_exchange_test_util.h"
#include "net/router.h"

namespace ringleader {
namespace {

constexpr std::string_view kRequest =
    "GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: conn_rate_bench\r\nConnection: close\r\n\r\n";

// The server: its thread runs the ring until a GET /quit drains it.
class ServerThread {
 public:
  ServerThread() {
    router_.Get("/", [](const HttpRequest&, HttpResponse& res) { res.body = "{\"worker\":1}"; });
    router_.Get("/quit", [this](const HttpRequest&, HttpResponse&) {
      server_->Drain([this] { ring_->Stop(); });
    });
    auto listener = OpenListener({.host = "127.0.0.1", .port = 0});
    listener_ = std::move(*listener);
    port_ = *LocalPort(listener_.get());
    // The ring is made in the thread that runs it: a single-issuer ring refuses other threads.
    thread_ = std::thread([this] {
      ring_ = std::move(*Ring::Create());
      server_ = std::move(*HttpServer::Create(*ring_, listener_.get(), router_, {}));
      clockid_t clock;
      ::pthread_getcpuclockid(::pthread_self(), &clock);
      server_->Start();
      clock_.store(clock);
      ready_.store(true);
      (void)ring_->Run();
    });
    while (!ready_.load()) std::this_thread::yield();
  }
  ~ServerThread() {
    Exchange("GET /quit HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
    thread_.join();
  }
  // One connection, one request, read to EOF. False if anything failed.
  bool Exchange(std::string_view request) const {
    return ExchangeOnLoopback(static_cast<uint16_t>(port_), request);
  }
  // CPU time the server's thread has used, in seconds.
  double CpuSeconds() const {
    timespec t{};
    ::clock_gettime(clock_.load(), &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }

 private:
  Router router_;
  UniqueFd listener_;
  int port_ = 0;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<clockid_t> clock_{};
  std::atomic<bool> ready_{false};
  std::thread thread_;
};

void BM_ConnectionPerRequest(benchmark::State& state) {
  ServerThread server;
  const double cpu_before = server.CpuSeconds();
  int64_t failed = 0;
  for (auto _ : state) failed += server.Exchange(kRequest) ? 0 : 1;
  const double server_cpu = server.CpuSeconds() - cpu_before;
  state.SetItemsProcessed(state.iterations());
  state.counters["server_cpu_us_per_conn"] =
      benchmark::Counter(server_cpu * 1e6 / static_cast<double>(state.iterations()));
  state.counters["failed"] = static_cast<double>(failed);
}
BENCHMARK(BM_ConnectionPerRequest)->UseRealTime();

}  // namespace
}  // namespace ringleader
