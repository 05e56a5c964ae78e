// Unit tests for net/router.h: exact and prefix routes, longest prefix, HEAD via GET, 404 vs 405.
#include "net/router.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

namespace ringleader {
namespace {

HttpRequest Request(std::string_view method, std::string target) {
  HttpRequest r;
  r.method = method;
  r.target = std::move(target);
  return r;
}

// Registers a handler that answers 200 with `name` as its body.
HttpHandler Named(std::string name) {
  return [name = std::move(name)](const HttpRequest&, HttpResponse& res) { res.Json(200, name); };
}

HttpResponse RouteOf(Router& router, std::string_view method, std::string target) {
  HttpResponse response;
  router.Route(Request(method, std::move(target)), response);
  return response;
}

// The body of a 404/405: JSON with "status" and "error".
void ExpectJsonError(const HttpResponse& res, int status, std::string_view reason) {
  EXPECT_EQ(res.status, status);
  EXPECT_EQ(res.content_type, "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(res.body).get(root), simdjson::SUCCESS) << res.body;
  int64_t got_status = 0;
  std::string_view error;
  ASSERT_EQ(root["status"].get(got_status), simdjson::SUCCESS) << res.body;
  ASSERT_EQ(root["error"].get(error), simdjson::SUCCESS) << res.body;
  EXPECT_EQ(got_status, status);
  EXPECT_EQ(error, reason);
}

TEST(RouterTest, ExactRouteMatchesOnlyItsPath) {
  Router router;
  router.Get("/health", Named("health"));
  EXPECT_EQ(RouteOf(router, "GET", "/health").body, "health");
  EXPECT_EQ(RouteOf(router, "GET", "/health?verbose=1").body, "health") << "query ignored";
  ExpectJsonError(RouteOf(router, "GET", "/health/x"), 404, "Not Found");
  ExpectJsonError(RouteOf(router, "GET", "/healthz"), 404, "Not Found");
  ExpectJsonError(RouteOf(router, "GET", "/"), 404, "Not Found");
}

TEST(RouterTest, PrefixRouteMatchesEverythingBelowIt) {
  Router router;
  router.GetPrefix("/delay/", Named("delay"));
  EXPECT_EQ(RouteOf(router, "GET", "/delay/250").body, "delay");
  EXPECT_EQ(RouteOf(router, "GET", "/delay/").body, "delay");
  EXPECT_EQ(RouteOf(router, "GET", "/delay/a/b?c").body, "delay");
  ExpectJsonError(RouteOf(router, "GET", "/delay"), 404, "Not Found");
  ExpectJsonError(RouteOf(router, "GET", "/dela"), 404, "Not Found");
}

TEST(RouterTest, ExactBeatsPrefixInEitherRegistrationOrder) {
  Router prefix_first;
  prefix_first.GetPrefix("/api/", Named("prefix"));
  prefix_first.Get("/api/status", Named("exact"));
  Router exact_first;
  exact_first.Get("/api/status", Named("exact"));
  exact_first.GetPrefix("/api/", Named("prefix"));
  for (Router* router : {&prefix_first, &exact_first}) {
    EXPECT_EQ(RouteOf(*router, "GET", "/api/status").body, "exact");
    EXPECT_EQ(RouteOf(*router, "GET", "/api/other").body, "prefix");
  }
}

TEST(RouterTest, LongestPrefixWinsInEitherRegistrationOrder) {
  Router short_first;
  short_first.GetPrefix("/", Named("root"));
  short_first.GetPrefix("/a/", Named("a"));
  short_first.GetPrefix("/a/b/", Named("ab"));
  Router long_first;
  long_first.GetPrefix("/a/b/", Named("ab"));
  long_first.GetPrefix("/a/", Named("a"));
  long_first.GetPrefix("/", Named("root"));
  for (Router* router : {&short_first, &long_first}) {
    EXPECT_EQ(RouteOf(*router, "GET", "/a/b/c").body, "ab");
    EXPECT_EQ(RouteOf(*router, "GET", "/a/x").body, "a");
    EXPECT_EQ(RouteOf(*router, "GET", "/zzz").body, "root");
  }
}

TEST(RouterTest, HeadIsServedByTheGetHandler) {
  Router router;
  std::string seen_method;
  router.Get("/page", [&](const HttpRequest& req, HttpResponse& res) {
    seen_method = std::string(req.method);
    res.Json(200, R"({"page":1})");
  });
  const HttpResponse res = RouteOf(router, "HEAD", "/page");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, R"({"page":1})") << "the server, not the router, drops the body";
  EXPECT_EQ(seen_method, "HEAD") << "the handler still sees the real method";
}

TEST(RouterTest, HeadOnAPrefixRouteUsesGetToo) {
  Router router;
  router.GetPrefix("/files/", Named("files"));
  EXPECT_EQ(RouteOf(router, "HEAD", "/files/x").body, "files");
}

TEST(RouterTest, KnownPathWithOtherMethodIs405) {
  Router router;
  router.Handle("POST", "/submit", Named("submitted"));
  router.Get("/read", Named("read"));
  EXPECT_EQ(RouteOf(router, "POST", "/submit").body, "submitted");
  ExpectJsonError(RouteOf(router, "GET", "/submit"), 405, "Method Not Allowed");
  ExpectJsonError(RouteOf(router, "HEAD", "/submit"), 405, "Method Not Allowed");
  ExpectJsonError(RouteOf(router, "DELETE", "/read"), 405, "Method Not Allowed");
  ExpectJsonError(RouteOf(router, "POST", "/unknown"), 404, "Not Found");
}

TEST(RouterTest, PrefixPathWithOtherMethodIs405) {
  Router router;
  router.HandlePrefix("PUT", "/kv/", Named("kv"));
  EXPECT_EQ(RouteOf(router, "PUT", "/kv/key").body, "kv");
  ExpectJsonError(RouteOf(router, "GET", "/kv/key"), 405, "Method Not Allowed");
}

TEST(RouterTest, SamePathDifferentMethodsEachGetTheirHandler) {
  Router router;
  router.Handle("GET", "/item", Named("get"));
  router.Handle("PUT", "/item", Named("put"));
  router.Handle("DELETE", "/item", Named("delete"));
  EXPECT_EQ(RouteOf(router, "GET", "/item").body, "get");
  EXPECT_EQ(RouteOf(router, "PUT", "/item").body, "put");
  EXPECT_EQ(RouteOf(router, "DELETE", "/item").body, "delete");
  ExpectJsonError(RouteOf(router, "PATCH", "/item"), 405, "Method Not Allowed");
}

TEST(RouterTest, EmptyRouterAnswers404) {
  Router router;
  ExpectJsonError(RouteOf(router, "GET", "/"), 404, "Not Found");
}

TEST(RouterTest, HandlerFillsTheResponse) {
  Router router;
  router.Get("/teapot", [](const HttpRequest&, HttpResponse& res) {
    res.status = 418;
    res.content_type = "text/plain";
    res.body = "short and stout";
  });
  const HttpResponse res = RouteOf(router, "GET", "/teapot");
  EXPECT_EQ(res.status, 418);
  EXPECT_EQ(res.content_type, "text/plain");
  EXPECT_EQ(res.body, "short and stout");
}

TEST(RouterTest, HandlerRunsOncePerRequest) {
  Router router;
  int calls = 0;
  router.Get("/count", [&](const HttpRequest&, HttpResponse&) { ++calls; });
  for (int i = 0; i < 3; ++i) RouteOf(router, "GET", "/count");
  RouteOf(router, "GET", "/other");
  EXPECT_EQ(calls, 3);
}

TEST(RouterTest, AHeadRouteOfItsOwnWinsOverGet) {
  Router router;
  router.Get("/page", [](const HttpRequest&, HttpResponse& res) { res.body = "get"; });
  router.Handle("HEAD", "/page", [](const HttpRequest&, HttpResponse& res) { res.body = "head"; });
  EXPECT_EQ(RouteOf(router, "HEAD", "/page").body, "head");
  EXPECT_EQ(RouteOf(router, "GET", "/page").body, "get");
}

TEST(RouterTest, BeforeEachSeesEveryRequestUnknownOnesIncluded) {
  Router router;
  router.Get("/known", [](const HttpRequest&, HttpResponse&) {});
  std::vector<std::string> seen;
  router.BeforeEach([&](const HttpRequest& req) { seen.emplace_back(req.path()); });
  RouteOf(router, "GET", "/known");
  RouteOf(router, "GET", "/unknown");
  RouteOf(router, "POST", "/known");
  EXPECT_EQ(seen, (std::vector<std::string>{"/known", "/unknown", "/known"}));
}

TEST(RouterTest, AnAsyncRouteTakesTheDeferredReplyAndSaysLater) {
  Router router;
  router.HandlePrefixAsync("GET", "/later/", [](const HttpRequest&, HttpReply reply) {
    HttpResponse res;
    res.Json(201, "{}");
    reply.Send(std::move(res));
  });
  int delivered = 0;
  PendingReply pending([&](HttpResponse&& r) noexcept { delivered = r.status; });
  HttpResponse unused;
  const Routed routed = router.Route(Request("GET", "/later/x"), unused,
                                     [&] { return HttpReply(pending); });
  EXPECT_EQ(routed, Routed::kLater);
  EXPECT_EQ(delivered, 201);
  EXPECT_EQ(router.Route(Request("GET", "/nothing"), unused, [&] { return HttpReply(pending); }),
            Routed::kNow);
  EXPECT_EQ(unused.status, 404);
}

}  // namespace
}  // namespace ringleader
