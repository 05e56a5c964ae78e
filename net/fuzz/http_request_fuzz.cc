// libFuzzer target over the request path without sockets: llhttp parsing under our limits, the
// Router, and the response writer, fed in arbitrary chunks as a socket would deliver them.
//
//   build/dev/bin/http_request_fuzz -max_total_time=600 /tmp/corpus net/fuzz/http_corpus
//
// The first input byte picks the chunk size, so one input also exercises every split point.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "net/http_parser.h"
#include "net/http_response.h"
#include "net/router.h"

namespace ringleader {
namespace {

class FuzzSink final : public HttpParser::Sink {
 public:
  explicit FuzzSink(Router& router) : router_(router) {}
  void OnExpectContinue() noexcept override { out_ += "HTTP/1.1 100 Continue\r\n\r\n"; }
  AfterRequest OnRequest(HttpRequest& request) noexcept override {
    ++requests_;
    response_.Reset();
    router_.Route(request, response_);
    AppendResponse(out_, response_,
                   FramingFor(request, /*draining=*/false, "Thu, 01 Jan 2026 00:00:00 GMT"));
    return request.keep_alive ? AfterRequest::kContinue : AfterRequest::kStop;
  }
  size_t requests() const { return requests_; }
  const std::string& out() const { return out_; }

 private:
  Router& router_;
  HttpResponse response_;
  std::string out_;
  size_t requests_ = 0;
};

Router MakeRouter() {
  Router router;
  router.Get("/", [](const HttpRequest&, HttpResponse& res) { res.body = "{\"worker\":1}"; });
  router.Get("/health", [](const HttpRequest&, HttpResponse& res) { res.body = "{\"ok\":1}"; });
  router.GetPrefix("/delay/", [](const HttpRequest& req, HttpResponse& res) {
    res.body.assign(req.path());
  });
  router.Handle("POST", "/echo", [](const HttpRequest& req, HttpResponse& res) {
    res.body = std::to_string(req.body.size());
  });
  return router;
}

}  // namespace
}  // namespace ringleader

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringleader;
  if (size == 0) return 0;
  static Router* router = new Router(MakeRouter());  // built once; the fuzzer never exits cleanly
  const size_t chunk = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  FuzzSink sink(*router);
  HttpParser parser({.max_header_bytes = 2048, .max_body_bytes = 4096}, sink);
  int status = 0;
  while (!input.empty() && status == 0) {
    const size_t n = std::min(chunk, input.size());
    status = parser.Feed(input.substr(0, n));
    input.remove_prefix(n);
  }
  // Invariants: an error is one of the statuses we document, and every response is complete.
  if (status != 0 && status != 400 && status != 413 && status != 431 && status != 501) std::abort();
  if (sink.requests() > 0 && sink.out().find("HTTP/1.1 ") != 0) std::abort();
  return 0;
}
