// Response serialization and reason phrases.
#include "net/http_response.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "net/http_request.h"

namespace ringleader {

ResponseFraming FramingFor(const HttpRequest& request, bool draining, std::string_view date) {
  return {.keep_alive = request.keep_alive && !draining,
          .http10 = request.version_major == 1 && request.version_minor == 0,
          .head = request.method == "HEAD",
          .date = date};
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void AppendResponse(std::string& out, const HttpResponse& response,
                    const ResponseFraming& framing) {
  char number[absl::numbers_internal::kFastToBufferSize];
  out += "HTTP/1.1 ";
  absl::numbers_internal::FastIntToBuffer(response.status, number);
  out += number;
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\nServer: ringleader\r\nDate: ";
  out += framing.date;
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  absl::numbers_internal::FastIntToBuffer(static_cast<uint64_t>(response.body.size()), number);
  out += number;
  if (!framing.keep_alive) {
    out += "\r\nConnection: close";
  } else if (framing.http10) {
    out += "\r\nConnection: keep-alive";
  }
  out += "\r\n\r\n";
  if (!framing.head) out += response.body;
}

HttpResponse ErrorResponse(int status) {
  HttpResponse response;
  response.status = status;
  response.body = absl::StrCat("{\"error\":\"", Absl(ReasonPhrase(status)), "\",\"status\":", status, "}");
  return response;
}

}  // namespace ringleader
