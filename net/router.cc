// Route matching: exact paths first, then the longest prefix; HEAD falls back to GET.
#include "net/router.h"


namespace ringleader {

void Router::Handle(std::string method, std::string path, HttpHandler handler) {
  routes_.push_back({std::move(method), std::move(path), false, std::move(handler), nullptr});
}

void Router::HandlePrefix(std::string method, std::string prefix, HttpHandler handler) {
  routes_.push_back({std::move(method), std::move(prefix), true, std::move(handler), nullptr});
}

void Router::HandleAsync(std::string method, std::string path, AsyncHttpHandler handler) {
  routes_.push_back({std::move(method), std::move(path), false, nullptr, std::move(handler)});
}

void Router::HandlePrefixAsync(std::string method, std::string prefix, AsyncHttpHandler handler) {
  routes_.push_back({std::move(method), std::move(prefix), true, nullptr, std::move(handler)});
}

Router::Route_* Router::Find(std::string_view method, std::string_view path, bool& path_known) {
  Route_* best = nullptr;
  for (Route_& r : routes_) {
    const bool match = r.prefix ? path.substr(0, r.path.size()) == r.path : path == r.path;
    if (!match) continue;
    path_known = true;
    if (r.method != method) continue;
    if (best == nullptr || (best->prefix && (!r.prefix || r.path.size() > best->path.size()))) {
      best = &r;
    }
  }
  return best;
}

Routed Router::Route(const HttpRequest& request, HttpResponse& response,
                     absl::FunctionRef<HttpReply()> defer) {
  if (before_each_) before_each_(request);
  const std::string_view path = request.path();
  bool path_known = false;
  Route_* best = Find(request.method, path, path_known);
  // HEAD without a route of its own is served by GET (the server drops the body).
  if (best == nullptr && request.method == "HEAD") best = Find("GET", path, path_known);
  if (best == nullptr) {
    response = ErrorResponse(path_known ? 405 : 404);
    return Routed::kNow;
  }
  if (best->async_handler) {
    best->async_handler(request, defer());
    return Routed::kLater;
  }
  best->handler(request, response);
  return Routed::kNow;
}

void Router::Route(const HttpRequest& request, HttpResponse& response) {
  Route(request, response, [] { return HttpReply(); });
}

}  // namespace ringleader
