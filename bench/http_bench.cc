// The request path without sockets, per request: llhttp parse → route → serialize. Measures a
// wrk-like GET and a browser-like GET with a dozen headers, fed one request per Feed and ten
// pipelined requests per Feed.
#include <benchmark/benchmark.h>

#include <string>

#include "net/http_parser.h"
#include "net/http_response.h"
#include "net/router.h"

namespace ringleader {
namespace {

constexpr char kDate[] = "Thu, 01 Jan 2026 00:00:00 GMT";

class BenchSink final : public HttpParser::Sink {
 public:
  explicit BenchSink(Router& router) : router_(router) {}
  void OnExpectContinue() noexcept override {}
  AfterRequest OnRequest(HttpRequest& request) noexcept override {
    response_.Reset();
    router_.Route(request, response_);
    AppendResponse(out, response_, FramingFor(request, false, kDate));
    return AfterRequest::kContinue;
  }
  std::string out;

 private:
  Router& router_;
  HttpResponse response_;
};

Router MakeRouter() {
  Router router;
  router.Get("/", [](const HttpRequest&, HttpResponse& res) { res.body.append("{\"worker\":4242}"); });
  router.Get("/health", [](const HttpRequest&, HttpResponse& res) {
    res.body.append("{\"pid\":4242,\"status\":\"ok\"}");
  });
  return router;
}

const std::string kWrkGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\r\n";
const std::string kBrowserGet =
    "GET /health HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
    "Connection: keep-alive\r\nCookie: session=0123456789abcdef; theme=dark\r\n"
    "Upgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\n"
    "Sec-Fetch-Site: none\r\nCache-Control: max-age=0\r\n\r\n";

void RunRequests(benchmark::State& state, const std::string& one, int per_feed) {
  Router router = MakeRouter();
  BenchSink sink(router);
  HttpParser parser({}, sink);
  std::string batch;
  for (int i = 0; i < per_feed; ++i) batch += one;
  for (auto _ : state) {
    sink.out.clear();
    parser.Feed(batch);
    benchmark::DoNotOptimize(sink.out.data());
  }
  state.SetItemsProcessed(state.iterations() * per_feed);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
}

void BM_WrkGet(benchmark::State& state) { RunRequests(state, kWrkGet, 1); }
void BM_WrkGetPipelined10(benchmark::State& state) { RunRequests(state, kWrkGet, 10); }
void BM_BrowserGet(benchmark::State& state) { RunRequests(state, kBrowserGet, 1); }
BENCHMARK(BM_WrkGet);
BENCHMARK(BM_WrkGetPipelined10);
BENCHMARK(BM_BrowserGet);

}  // namespace
}  // namespace ringleader
