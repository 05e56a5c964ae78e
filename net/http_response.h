// HttpResponse (what a handler fills in) and the serializer that turns it into HTTP/1.1 bytes.
//
//   HttpResponse res;
//   res.Json(200, R"({"ok":true})");
//   AppendResponse(out, res, {.keep_alive = true, .head = false, .date = clock.Now()});
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace ringleader {

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When positive, the server sends this response only after the delay (a ring timeout, never
  // a sleep); later pipelined responses on the same connection wait behind it.
  absl::Duration delay = absl::ZeroDuration();

  // Back to a fresh 200 JSON response, keeping the body's capacity.
  void Reset() {
    status = 200;
    content_type.assign("application/json");
    body.clear();
    delay = absl::ZeroDuration();
  }

  void Json(int code, std::string json) {
    status = code;
    content_type = "application/json";
    body = std::move(json);
  }
};

struct ResponseFraming {
  bool keep_alive = true;
  bool http10 = false;  // HTTP/1.0 peers need an explicit "Connection: keep-alive"
  bool head = false;    // HEAD: headers with the body's Content-Length, no body
  std::string_view date;  // preformatted IMF-fixdate
};

struct HttpRequest;

// How the response to `request` is framed: keep-alive unless the client or a drain says close,
// "Connection: keep-alive" spelled out for HTTP/1.0, no body for HEAD.
ResponseFraming FramingFor(const HttpRequest& request, bool draining, std::string_view date);

// The reason phrase for `status` ("OK", "Not Found", ...).
std::string_view ReasonPhrase(int status);

// Appends status line, headers (Server, Date, Content-Type, Content-Length, Connection) and body.
void AppendResponse(std::string& out, const HttpResponse& response, const ResponseFraming& framing);

// A JSON error body {"error":"<reason>","status":N} with the given status.
HttpResponse ErrorResponse(int status);

}  // namespace ringleader
