// llhttp callbacks: accumulate the request, enforce limits, hand complete requests to the sink.
#include "net/http_parser.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "core/absl_bridge.h"

namespace ringleader {
namespace {
// What a request keeps of its buffers' capacity once it is answered (see ReleaseLargeBuffers).
constexpr size_t kRetainedTarget = 4 * 1024;
constexpr size_t kRetainedHeaders = 32;
constexpr size_t kRetainedHeaderString = 1024;
constexpr size_t kRetainedBody = 64 * 1024;
// What a reset parser (a connection kept for the next one) keeps of its body buffer.
constexpr size_t kSpareBody = 4 * 1024;
// A request whose header block was larger than this may have grown the strings above.
constexpr size_t kLargeHeaderBlock = 4 * 1024;
// The line end after the last header and the blank line; llhttp reports no span for them.
constexpr size_t kHeaderTerminator = 4;

template <typename String>
void ReleaseAbove(String& s, size_t keep) {
  if (s.capacity() > keep) String().swap(s);
}
}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (absl::EqualsIgnoreCase(headers[i].name, Absl(name))) return headers[i].value;
  }
  return {};
}

void HttpRequest::ReleaseLargeBuffers() {
  Clear();  // answered: only the capacity matters now
  ReleaseAbove(target, kRetainedTarget);
  ReleaseAbove(body, kRetainedBody);
  if (headers.size() > kRetainedHeaders) {
    headers.resize(kRetainedHeaders);
    headers.shrink_to_fit();
  }
  for (HttpHeader& h : headers) {
    ReleaseAbove(h.name, kRetainedHeaderString);
    ReleaseAbove(h.value, kRetainedHeaderString);
  }
}

const llhttp_settings_t& HttpParser::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &HttpParser::OnMessageBegin;
    s.on_method = &HttpParser::OnMethod;
    s.on_url = &HttpParser::OnUrl;
    s.on_version = &HttpParser::OnVersion;
    s.on_header_field = &HttpParser::OnHeaderField;
    s.on_header_value = &HttpParser::OnHeaderValue;
    s.on_headers_complete = &HttpParser::OnHeadersComplete;
    s.on_body = &HttpParser::OnBody;
    s.on_message_complete = &HttpParser::OnMessageComplete;
    return s;
  }();
  return settings;
}

HttpParser::HttpParser(HttpLimits limits, Sink& sink) : limits_(limits), sink_(sink) {
  llhttp_init(&parser_, HTTP_REQUEST, &Settings());
  parser_.data = this;
}

void HttpParser::Reset() noexcept {
  llhttp_init(&parser_, HTTP_REQUEST, &Settings());
  parser_.data = this;
  request_.ReleaseLargeBuffers();
  ReleaseAbove(request_.body, kSpareBody);
  header_bytes_ = 0;
  counted_to_ = nullptr;
  tail_counted_ = 0;
  requests_begun_ = 0;
  held_back_ = {};
  in_value_ = false;
  in_message_ = false;
  headers_done_ = false;
  user_status_ = 0;
  failed_status_ = 0;
  after_request_ = AfterRequest::kContinue;
  stopped_at_end_ = false;
}

bool HttpParser::CountHeaderBytes(size_t n) {
  header_bytes_ += n;
  if (header_bytes_ <= limits_.max_header_bytes) return true;
  user_status_ = 431;
  return false;
}

bool HttpParser::CountHeaderSpan(const char* at, size_t length) {
  // Everything from the end of what was counted to the end of this span: the span and the
  // whitespace before it, which llhttp skips silently.
  if (counted_to_ == nullptr) counted_to_ = at;  // the request's first byte
  const char* end = at + length;
  const size_t n = static_cast<size_t>(end - counted_to_);
  counted_to_ = end;
  tail_counted_ = 0;
  return CountHeaderBytes(n);
}

int HttpParser::OnMessageBegin(llhttp_t* p) {
  HttpParser& self = Self(p);
  self.request_.Clear();
  self.header_bytes_ = 0;
  self.counted_to_ = nullptr;
  ++self.requests_begun_;
  self.in_value_ = false;
  self.in_message_ = true;
  self.headers_done_ = false;
  return HPE_OK;
}

int HttpParser::OnMethod(llhttp_t* p, const char* at, size_t length) {
  return Self(p).CountHeaderSpan(at, length) ? HPE_OK : HPE_USER;
}

int HttpParser::OnVersion(llhttp_t* p, const char* at, size_t length) {
  return Self(p).CountHeaderSpan(at, length) ? HPE_OK : HPE_USER;
}

int HttpParser::OnUrl(llhttp_t* p, const char* at, size_t length) {
  HttpParser& self = Self(p);
  if (!self.CountHeaderSpan(at, length)) return HPE_USER;
  self.request_.target.append(at, length);
  return HPE_OK;
}

int HttpParser::OnHeaderField(llhttp_t* p, const char* at, size_t length) {
  HttpParser& self = Self(p);
  if (!self.CountHeaderSpan(at, length)) return HPE_USER;
  HttpRequest& r = self.request_;
  if (self.in_value_ || r.header_count == 0) {
    // A new header starts; reuse an old entry's capacity when there is one.
    if (r.header_count == self.limits_.max_header_count) {
      self.user_status_ = 431;
      return HPE_USER;
    }
    if (r.header_count == r.headers.size()) r.headers.emplace_back();
    HttpHeader& h = r.headers[r.header_count++];
    h.name.clear();
    h.value.clear();
    self.in_value_ = false;
  }
  r.headers[r.header_count - 1].name.append(at, length);
  return HPE_OK;
}

int HttpParser::OnHeaderValue(llhttp_t* p, const char* at, size_t length) {
  HttpParser& self = Self(p);
  if (!self.CountHeaderSpan(at, length)) return HPE_USER;
  self.in_value_ = true;
  self.request_.headers[self.request_.header_count - 1].value.append(at, length);
  return HPE_OK;
}

int HttpParser::OnHeadersComplete(llhttp_t* p) {
  HttpParser& self = Self(p);
  HttpRequest& r = self.request_;
  // The terminator (line end and blank line) has no span; part of it may have been counted at
  // the end of an earlier read.
  if (!self.CountHeaderBytes(kHeaderTerminator - std::min(self.tail_counted_, kHeaderTerminator))) {
    return HPE_USER;
  }
  self.headers_done_ = true;
  self.counted_to_ = nullptr;  // trailers, if any, start counting again at their first span
  self.tail_counted_ = 0;
  // We never switch protocols: treat Upgrade/CONNECT as ordinary requests so llhttp does not
  // pause and strand the rest of the connection.
  p->upgrade = 0;
  r.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  r.version_major = p->http_major;
  r.version_minor = p->http_minor;
  r.keep_alive = llhttp_should_keep_alive(p) != 0;
  if ((p->flags & F_CONTENT_LENGTH) != 0 && p->content_length > self.limits_.max_body_bytes) {
    self.user_status_ = 413;
    return HPE_USER;
  }
  if (r.version_minor >= 1 && absl::EqualsIgnoreCase(Absl(r.Header("Expect")), "100-continue")) {
    self.sink_.OnExpectContinue();
  }
  return HPE_OK;
}

int HttpParser::OnBody(llhttp_t* p, const char* at, size_t length) {
  HttpParser& self = Self(p);
  if (self.request_.body.size() + length > self.limits_.max_body_bytes) {
    self.user_status_ = 413;
    return HPE_USER;
  }
  self.request_.body.append(at, length);
  return HPE_OK;
}

int HttpParser::OnMessageComplete(llhttp_t* p) {
  HttpParser& self = Self(p);
  self.in_message_ = false;
  self.counted_to_ = nullptr;
  // llhttp_should_keep_alive is only final here (it also depends on how the body ended).
  self.request_.keep_alive = self.request_.keep_alive && llhttp_should_keep_alive(p) != 0;
  self.after_request_ = self.sink_.OnRequest(self.request_);
  if (self.header_bytes_ > kLargeHeaderBlock || self.request_.body.capacity() > kRetainedBody) {
    self.request_.ReleaseLargeBuffers();
  }
  return self.after_request_ == AfterRequest::kContinue ? HPE_OK : HPE_PAUSED;
}

int HttpParser::StatusForError(std::string_view data) const {
  if (user_status_ != 0) return user_status_;
  const llhttp_errno_t err = llhttp_get_errno(&parser_);
  if (err != HPE_INVALID_METHOD) return 400;
  // An unknown but well-formed method token ("BREW / HTTP/1.1") is 501; line noise is 400.
  const char* pos = llhttp_get_error_pos(&parser_);
  if (pos == nullptr || pos < data.data() || pos >= data.data() + data.size()) return 400;
  const char* end = data.data() + data.size();
  const char* line = pos;
  while (line > data.data() && line[-1] != '\n') --line;  // start of this request line
  for (const char* c = line; c < pos; ++c) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(*c))) return 400;
  }
  while (pos < end && (absl::ascii_isupper(static_cast<unsigned char>(*pos)) || *pos == '-')) ++pos;
  return (pos < end && *pos == ' ') ? 501 : 400;
}

int HttpParser::Feed(std::string_view data) noexcept {
  held_back_ = {};
  if (failed_status_ != 0) return failed_status_;
  if (data.empty()) return 0;
  const char* const end = data.data() + data.size();
  // Header bytes (or trailer bytes) split across reads: count this read from its first byte.
  if (counted_to_ != nullptr) counted_to_ = data.data();
  llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
  // Bytes after the last span of an unfinished header block (a run of padding) count too.
  if (err == HPE_OK && counted_to_ != nullptr) {
    const size_t tail = static_cast<size_t>(end - counted_to_);
    tail_counted_ += tail;
    if (!CountHeaderBytes(tail)) err = HPE_USER;
  }
  switch (err) {
    case HPE_OK:
      return 0;
    case HPE_PAUSED:
    case HPE_PAUSED_UPGRADE: {
      const char* stop = llhttp_get_error_pos(&parser_);
      switch (after_request_) {
        case AfterRequest::kHold:
          // Backpressure: the caller keeps the rest and feeds it again when it can take more.
          llhttp_resume(&parser_);
          held_back_ = std::string_view(stop, static_cast<size_t>(end - stop));
          return 0;
        case AfterRequest::kStop:
        case AfterRequest::kContinue:  // not asked to pause (an upgrade): stop all the same
          // Stopped on purpose (the connection closes after this request); the rest is ignored.
          stopped_at_end_ = stop == end;
          return 0;
      }
      return 0;
    }
    default:
      failed_status_ = StatusForError(data);
      in_message_ = false;
      return failed_status_;
  }
}

}  // namespace ringleader
