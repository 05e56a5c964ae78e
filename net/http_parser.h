// HttpParser: llhttp (Node's own parser) wrapped for a server connection. Feeds bytes in as they
// arrive, enforces the header and body limits, and reports each complete request, in order.
//
//   HttpParser parser({.max_header_bytes = 16 << 10, .max_body_bytes = 1 << 20}, sink);
//   int status = parser.Feed(bytes);   // 0, or 400/413/431/501: answer that, then close
//
// The sink sees HttpParser::Sink::OnRequest() for every complete request; returning false stops
// parsing (the connection is closing and what follows is ignored).
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string_view>

#include "net/http_request.h"

namespace ringleader {

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
};

class HttpParser {
 public:
  class Sink {
   public:
    // Headers are in; a client waiting on "Expect: 100-continue" should be told to go on.
    virtual void OnExpectContinue() noexcept = 0;
    // One complete request. False: stop parsing after it.
    virtual bool OnRequest(HttpRequest& request) noexcept = 0;

   protected:
    ~Sink() = default;
  };

  HttpParser(HttpLimits limits, Sink& sink);
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;

  // Parses `data`. 0 when everything was consumed (or parsing was stopped by the sink);
  // otherwise the HTTP status that describes the client's error. After an error the parser
  // accepts nothing more.
  int Feed(std::string_view data) noexcept;

  // True while part of a request has arrived but not all of it (for the header timeout).
  bool mid_request() const noexcept { return in_message_; }
  // True when the sink stopped parsing exactly at the end of the bytes received: nothing of the
  // client's is left unread, so the connection can close without a lingering read.
  bool stopped_at_end() const noexcept { return stopped_at_end_; }
  // True once the headers of the current request are complete.
  bool headers_done() const noexcept { return headers_done_; }

 private:
  static int OnMessageBegin(llhttp_t* p);
  static int OnUrl(llhttp_t* p, const char* at, size_t length);
  static int OnHeaderField(llhttp_t* p, const char* at, size_t length);
  static int OnHeaderValue(llhttp_t* p, const char* at, size_t length);
  static int OnHeadersComplete(llhttp_t* p);
  static int OnBody(llhttp_t* p, const char* at, size_t length);
  static int OnMessageComplete(llhttp_t* p);
  static HttpParser& Self(llhttp_t* p) { return *static_cast<HttpParser*>(p->data); }
  static const llhttp_settings_t& Settings();

  bool CountHeaderBytes(size_t n);
  int StatusForError(std::string_view data) const;

  HttpLimits limits_;
  Sink& sink_;
  llhttp_t parser_{};
  HttpRequest request_;
  size_t header_bytes_ = 0;
  bool in_value_ = false;
  bool in_message_ = false;
  bool headers_done_ = false;
  int user_status_ = 0;  // set when a callback refuses the request
  int failed_status_ = 0;
  bool stopped_at_end_ = false;
};

}  // namespace ringleader
