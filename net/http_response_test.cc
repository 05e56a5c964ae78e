// Unit tests for net/http_response.h: response serialization, framing headers, error bodies.
#include "net/http_response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "net/http_date.h"
#include "net/http_request.h"

namespace ringleader {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr std::string_view kDate = "Sun, 06 Nov 1994 08:49:37 GMT";

std::string Serialize(const HttpResponse& response, ResponseFraming framing) {
  framing.date = kDate;
  std::string out;
  AppendResponse(out, response, framing);
  return out;
}

// Splits a serialized response into its header lines (status line first) and body.
struct Parsed {
  std::vector<std::string> lines;
  std::string body;
};
Parsed Split(const std::string& wire) {
  Parsed p;
  const size_t end = wire.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos) << wire;
  if (end == std::string::npos) return p;
  size_t start = 0;
  while (start < end) {
    const size_t eol = wire.find("\r\n", start);
    p.lines.push_back(wire.substr(start, std::min(eol, end) - start));
    start = std::min(eol, end) + 2;
  }
  p.body = wire.substr(end + 4);
  return p;
}

HttpResponse JsonOk() {
  HttpResponse res;
  res.Json(200, R"({"ok":true})");
  return res;
}

TEST(AppendResponseTest, KeepAliveResponseIsExact) {
  EXPECT_EQ(Serialize(JsonOk(), {.keep_alive = true}),
            "HTTP/1.1 200 OK\r\n"
            "Server: ringleader\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 11\r\n"
            "\r\n"
            "{\"ok\":true}");
}

TEST(AppendResponseTest, StatusLineAndHeaders) {
  HttpResponse res;
  res.status = 404;
  res.content_type = "text/plain; charset=utf-8";
  res.body = "no such thing";
  const Parsed p = Split(Serialize(res, {}));
  ASSERT_FALSE(p.lines.empty());
  EXPECT_EQ(p.lines[0], "HTTP/1.1 404 Not Found");
  EXPECT_THAT(p.lines, testing::Contains("Server: ringleader"));
  EXPECT_THAT(p.lines, testing::Contains("Date: " + std::string(kDate)));
  EXPECT_THAT(p.lines, testing::Contains("Content-Type: text/plain; charset=utf-8"));
  EXPECT_THAT(p.lines, testing::Contains("Content-Length: 13"));
  EXPECT_EQ(p.body, "no such thing");
}

TEST(AppendResponseTest, ContentLengthCountsBytes) {
  HttpResponse res;
  res.body = std::string(1234567, 'x');
  EXPECT_THAT(Split(Serialize(res, {})).lines, testing::Contains("Content-Length: 1234567"));
  res.body.clear();
  const Parsed empty = Split(Serialize(res, {}));
  EXPECT_THAT(empty.lines, testing::Contains("Content-Length: 0"));
  EXPECT_EQ(empty.body, "");
}

TEST(AppendResponseTest, ConnectionCloseWhenNotKeepAlive) {
  const Parsed p = Split(Serialize(JsonOk(), {.keep_alive = false}));
  EXPECT_THAT(p.lines, testing::Contains("Connection: close"));
  EXPECT_THAT(p.lines, Not(testing::Contains("Connection: keep-alive")));
  EXPECT_EQ(p.body, R"({"ok":true})");
}

TEST(AppendResponseTest, NoConnectionHeaderForHttp11KeepAlive) {
  const std::string wire = Serialize(JsonOk(), {.keep_alive = true, .http10 = false});
  EXPECT_THAT(wire, Not(HasSubstr("Connection:")));
}

TEST(AppendResponseTest, Http10KeepAliveSaysSo) {
  const Parsed p = Split(Serialize(JsonOk(), {.keep_alive = true, .http10 = true}));
  EXPECT_THAT(p.lines, testing::Contains("Connection: keep-alive"));
  EXPECT_EQ(p.lines[0], "HTTP/1.1 200 OK");
}

TEST(AppendResponseTest, Http10CloseSaysClose) {
  const Parsed p = Split(Serialize(JsonOk(), {.keep_alive = false, .http10 = true}));
  EXPECT_THAT(p.lines, testing::Contains("Connection: close"));
  EXPECT_THAT(p.lines, Not(testing::Contains("Connection: keep-alive")));
}

TEST(AppendResponseTest, HeadOmitsBodyButKeepsContentLength) {
  const std::string wire = Serialize(JsonOk(), {.head = true});
  const Parsed p = Split(wire);
  EXPECT_THAT(p.lines, testing::Contains("Content-Length: 11"));
  EXPECT_EQ(p.body, "");
  EXPECT_TRUE(wire.ends_with("\r\n\r\n"));
}

TEST(AppendResponseTest, AppendsAfterExistingBytes) {
  std::string out = "previous";
  AppendResponse(out, JsonOk(), {.date = kDate});
  AppendResponse(out, ErrorResponse(404), {.keep_alive = false, .date = kDate});
  ASSERT_TRUE(out.starts_with("previousHTTP/1.1 200 OK\r\n"));
  const size_t second = out.find("HTTP/1.1 404 Not Found\r\n");
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(out.substr(second - 11, 11), R"({"ok":true})");
  EXPECT_TRUE(out.ends_with(R"({"error":"Not Found","status":404})"));
}

HttpRequest RequestWith(std::string_view method, int minor, bool keep_alive) {
  HttpRequest r;
  r.method = method;
  r.version_major = 1;
  r.version_minor = static_cast<uint8_t>(minor);
  r.keep_alive = keep_alive;
  return r;
}

TEST(FramingForTest, FollowsTheRequest) {
  const ResponseFraming f = FramingFor(RequestWith("GET", 1, true), false, kDate);
  EXPECT_TRUE(f.keep_alive);
  EXPECT_FALSE(f.http10);
  EXPECT_FALSE(f.head);
  EXPECT_EQ(f.date, kDate);
  EXPECT_FALSE(FramingFor(RequestWith("GET", 1, false), false, kDate).keep_alive);
  EXPECT_TRUE(FramingFor(RequestWith("HEAD", 1, true), false, kDate).head);
  EXPECT_FALSE(FramingFor(RequestWith("POST", 1, true), false, kDate).head);
}

TEST(FramingForTest, DrainingClosesEveryConnection) {
  EXPECT_FALSE(FramingFor(RequestWith("GET", 1, true), true, kDate).keep_alive);
  EXPECT_FALSE(FramingFor(RequestWith("GET", 0, true), true, kDate).keep_alive);
}

TEST(FramingForTest, Http10KeepAliveIsSpelledOut) {
  const ResponseFraming f = FramingFor(RequestWith("GET", 0, true), false, kDate);
  EXPECT_TRUE(f.keep_alive);
  EXPECT_TRUE(f.http10);
  EXPECT_THAT(Split(Serialize(JsonOk(), f)).lines, testing::Contains("Connection: keep-alive"));
  HttpRequest http09 = RequestWith("GET", 9, false);
  http09.version_major = 0;
  EXPECT_FALSE(FramingFor(http09, false, kDate).http10);
}

TEST(ReasonPhraseTest, KnownAndUnknownStatuses) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(405), "Method Not Allowed");
  EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(501), "Not Implemented");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
}

TEST(ErrorResponseTest, BodyIsJsonWithTheStatus) {
  for (int status : {400, 404, 405, 408, 413, 417, 431, 500, 501, 503}) {
    SCOPED_TRACE(status);
    const HttpResponse res = ErrorResponse(status);
    EXPECT_EQ(res.status, status);
    EXPECT_EQ(res.content_type, "application/json");
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    ASSERT_EQ(parser.parse(res.body).get(root), simdjson::SUCCESS) << res.body;
    int64_t got = 0;
    std::string_view error;
    ASSERT_EQ(root["status"].get(got), simdjson::SUCCESS);
    ASSERT_EQ(root["error"].get(error), simdjson::SUCCESS);
    EXPECT_EQ(got, status);
    EXPECT_EQ(error, ReasonPhrase(status));
  }
}

TEST(ErrorResponseTest, SerializesWithItsReasonPhrase) {
  const Parsed p = Split(Serialize(ErrorResponse(431), {.keep_alive = false}));
  ASSERT_FALSE(p.lines.empty());
  EXPECT_EQ(p.lines[0], "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(p.body, R"({"error":"Request Header Fields Too Large","status":431})");
}

TEST(HttpResponseTest, ResetAndJson) {
  HttpResponse res;
  res.status = 500;
  res.content_type = "text/html";
  res.body = "oops";
  res.delay = absl::Seconds(1);
  res.Reset();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, "");
  EXPECT_EQ(res.delay, absl::ZeroDuration());
  res.content_type = "text/plain";
  res.Json(201, "{}");
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, "{}");
}

TEST(HttpDateTest, FormatsImfFixdate) {
  HttpDate date;
  date.Refresh(absl::FromUnixSeconds(784111777));  // the RFC 9110 example
  EXPECT_EQ(date.value(), kDate);
  date.Refresh(absl::FromUnixSeconds(784111777) + absl::Milliseconds(999));
  EXPECT_EQ(date.value(), kDate);
  date.Refresh(absl::FromUnixSeconds(784111778));
  EXPECT_EQ(date.value(), "Sun, 06 Nov 1994 08:49:38 GMT");
  date.Refresh(absl::FromUnixSeconds(0));
  EXPECT_EQ(date.value(), "Thu, 01 Jan 1970 00:00:00 GMT");
  date.Refresh(absl::FromUnixSeconds(1798761599));  // a year's last second
  EXPECT_EQ(date.value(), "Thu, 31 Dec 2026 23:59:59 GMT");
}

}  // namespace
}  // namespace ringleader
