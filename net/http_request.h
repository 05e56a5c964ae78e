// HttpRequest: what a handler sees of one parsed HTTP/1.x request. The connection reuses one
// object (and its string capacity) for every request, so steady state allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ringleader {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string_view method;  // "GET", "HEAD", ... (static storage)
  std::string target;       // as sent: path plus optional query
  uint8_t version_major = 1;
  uint8_t version_minor = 1;
  bool keep_alive = true;
  bool server_draining = false;  // set by the server: this worker is shutting down
  std::vector<HttpHeader> headers;
  size_t header_count = 0;  // live entries in `headers` (the rest keep their capacity)
  std::string body;

  // The target without its query string.
  std::string_view path() const {
    std::string_view t(target);
    return t.substr(0, t.find('?'));
  }
  // First header named `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;

  // Gives back capacity above a small retained size, so one unusually large request does not
  // pin its memory for the rest of a keep-alive connection. Steady small requests keep theirs.
  void ReleaseLargeBuffers();

  void Clear() {
    target.clear();
    header_count = 0;
    body.clear();
    keep_alive = true;
  }
};

}  // namespace ringleader
