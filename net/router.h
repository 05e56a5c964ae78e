// Router: maps method + path to a handler. This is the handler API of a ringleader worker.
//
//   Router router;
//   router.Get("/health", [](const HttpRequest&, HttpResponse& res) {
//     res.Json(200, R"({"status":"ok"})");
//   });
//   router.GetPrefix("/delay/", [](const HttpRequest& req, HttpResponse& res) { ... });
//
// A handler that answers after work on the loop takes an HttpReply instead (net/http_reply.h):
//   router.HandleAsync("GET", "/session", [](const HttpRequest& req, HttpReply reply) { ... });
//
// HEAD is served by its own route if there is one, else by the GET handler (the server drops
// the body). Unknown paths get a JSON 404;
// a known path with another method gets 405.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "net/http_reply.h"
#include "net/http_request.h"
#include "net/http_response.h"

namespace ringleader {

using HttpHandler = absl::AnyInvocable<void(const HttpRequest& request, HttpResponse& response)>;
using AsyncHttpHandler = absl::AnyInvocable<void(const HttpRequest& request, HttpReply reply)>;

// Whether Route filled the response or handed the request to an async handler.
enum class Routed { kNow, kLater };

class Router {
 public:
  void Handle(std::string method, std::string path, HttpHandler handler);
  void HandlePrefix(std::string method, std::string prefix, HttpHandler handler);
  void Get(std::string path, HttpHandler handler) { Handle("GET", std::move(path), std::move(handler)); }
  void GetPrefix(std::string prefix, HttpHandler handler) {
    HandlePrefix("GET", std::move(prefix), std::move(handler));
  }

  // Runs before every request's handler, 404s and 405s included (counting, access logs).
  void BeforeEach(absl::AnyInvocable<void(const HttpRequest& request)> hook) {
    before_each_ = std::move(hook);
  }

  void HandleAsync(std::string method, std::string path, AsyncHttpHandler handler);
  void HandlePrefixAsync(std::string method, std::string prefix, AsyncHttpHandler handler);

  // Runs the matching handler, or fills a 404/405 error. An async handler gets the reply
  // `defer` makes (the caller's pending slot for this request) and Route returns kLater.
  Routed Route(const HttpRequest& request, HttpResponse& response,
               absl::FunctionRef<HttpReply()> defer);
  // For callers without async routes: an async handler's answer goes nowhere.
  void Route(const HttpRequest& request, HttpResponse& response);

 private:
  struct Route_ {
    std::string method;
    std::string path;
    bool prefix;
    HttpHandler handler;        // one of the two is set
    AsyncHttpHandler async_handler;
  };
  Route_* Find(std::string_view method, std::string_view path, bool& path_known);

  std::vector<Route_> routes_;
  absl::AnyInvocable<void(const HttpRequest& request)> before_each_;
};

}  // namespace ringleader
