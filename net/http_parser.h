// HttpParser: llhttp (Node's own parser) wrapped for a server connection. Feeds bytes in as they
// arrive, enforces the header and body limits, and reports each complete request, in order.
//
//   HttpParser parser({.max_header_bytes = 16 << 10, .max_body_bytes = 1 << 20}, sink);
//   int status = parser.Feed(bytes);   // 0, or 400/413/431/501: answer that, then close
//   std::string_view later = parser.held_back();  // unparsed tail when the sink said kHold
//
// The sink sees HttpParser::Sink::OnRequest() for every complete request and answers what the
// parser does next: go on, hold the rest of the bytes (backpressure: feed them again later),
// or stop (the connection is closing and what follows is ignored).
//
// Header bytes are counted from a request's first byte to the end of its header block, the
// whitespace llhttp skips without a callback included, so padding cannot dodge the limit.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string_view>

#include "net/http_request.h"

namespace ringleader {

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;  // request line + headers, whitespace included
  size_t max_header_count = 100;        // as nginx and Node: more is 431
  size_t max_body_bytes = 1024 * 1024;
};

// What the parser does after handing the sink a complete request.
enum class AfterRequest {
  kContinue,  // parse what follows
  kHold,      // stop here; the caller keeps held_back() and feeds it again later
  kStop,      // stop for good (the connection closes); what follows is ignored
};

class HttpParser {
 public:
  class Sink {
   public:
    // Headers are in; a client waiting on "Expect: 100-continue" should be told to go on.
    virtual void OnExpectContinue() noexcept = 0;
    // One complete request; the answer says whether parsing goes on.
    virtual AfterRequest OnRequest(HttpRequest& request) noexcept = 0;

   protected:
    ~Sink() = default;
  };

  HttpParser(HttpLimits limits, Sink& sink);
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;

  // Back to the state of a new parser, for the next connection; the request's buffers keep
  // their (bounded) capacity.
  void Reset() noexcept;

  // Parses `data`. 0 when everything was consumed (or the sink held or stopped parsing);
  // otherwise the HTTP status that describes the client's error. After an error the parser
  // accepts nothing more.
  int Feed(std::string_view data) noexcept;
  // After a Feed whose sink answered kHold: the unparsed tail of that Feed's `data` (a view
  // into it). Empty otherwise. The next Feed continues where the hold stopped.
  std::string_view held_back() const noexcept { return held_back_; }

  // True while part of a request has arrived but not all of it (for the header timeout).
  bool mid_request() const noexcept { return in_message_; }
  // Requests begun so far: tells a new request from the one before it within one Feed.
  uint64_t requests_begun() const noexcept { return requests_begun_; }
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

  static int OnMethod(llhttp_t* p, const char* at, size_t length);
  static int OnVersion(llhttp_t* p, const char* at, size_t length);
  bool CountHeaderSpan(const char* at, size_t length);
  bool CountHeaderBytes(size_t n);
  int StatusForError(std::string_view data) const;

  HttpLimits limits_;
  Sink& sink_;
  llhttp_t parser_{};
  HttpRequest request_;
  size_t header_bytes_ = 0;
  // End of the header bytes counted so far in the current Feed; null before a request's first
  // byte (the CR/LF llhttp skips between requests are not part of any request).
  const char* counted_to_ = nullptr;
  // Bytes counted after the last span, at the ends of earlier reads: the start of the header
  // block's terminator, which must not be counted twice.
  size_t tail_counted_ = 0;
  uint64_t requests_begun_ = 0;
  std::string_view held_back_;
  bool in_value_ = false;
  bool in_message_ = false;
  bool headers_done_ = false;
  int user_status_ = 0;  // set when a callback refuses the request
  int failed_status_ = 0;
  AfterRequest after_request_ = AfterRequest::kContinue;  // the sink's last answer
  bool stopped_at_end_ = false;
};

}  // namespace ringleader
