// llhttp callbacks: accumulate the request, enforce limits, hand complete requests to the sink.
#include "net/http_parser.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "core/absl_bridge.h"

namespace ringleader {

std::string_view HttpRequest::Header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (absl::EqualsIgnoreCase(headers[i].name, Absl(name))) return headers[i].value;
  }
  return {};
}

const llhttp_settings_t& HttpParser::Settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &HttpParser::OnMessageBegin;
    s.on_url = &HttpParser::OnUrl;
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

bool HttpParser::CountHeaderBytes(size_t n) {
  header_bytes_ += n;
  if (header_bytes_ <= limits_.max_header_bytes) return true;
  user_status_ = 431;
  return false;
}

int HttpParser::OnMessageBegin(llhttp_t* p) {
  HttpParser& self = Self(p);
  self.request_.Clear();
  self.header_bytes_ = 0;
  self.in_value_ = false;
  self.in_message_ = true;
  self.headers_done_ = false;
  return HPE_OK;
}

int HttpParser::OnUrl(llhttp_t* p, const char* at, size_t length) {
  HttpParser& self = Self(p);
  if (!self.CountHeaderBytes(length)) return HPE_USER;
  self.request_.target.append(at, length);
  return HPE_OK;
}

int HttpParser::OnHeaderField(llhttp_t* p, const char* at, size_t length) {
  HttpParser& self = Self(p);
  if (!self.CountHeaderBytes(length)) return HPE_USER;
  HttpRequest& r = self.request_;
  if (self.in_value_ || r.header_count == 0) {
    // A new header starts; reuse an old entry's capacity when there is one.
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
  if (!self.CountHeaderBytes(length)) return HPE_USER;
  self.in_value_ = true;
  self.request_.headers[self.request_.header_count - 1].value.append(at, length);
  return HPE_OK;
}

int HttpParser::OnHeadersComplete(llhttp_t* p) {
  HttpParser& self = Self(p);
  HttpRequest& r = self.request_;
  self.headers_done_ = true;
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
  // llhttp_should_keep_alive is only final here (it also depends on how the body ended).
  self.request_.keep_alive = self.request_.keep_alive && llhttp_should_keep_alive(p) != 0;
  const bool go_on = self.sink_.OnRequest(self.request_);
  return go_on ? HPE_OK : HPE_PAUSED;
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
  if (failed_status_ != 0) return failed_status_;
  if (data.empty()) return 0;
  const llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
  switch (err) {
    case HPE_OK:
      return 0;
    case HPE_PAUSED:
    case HPE_PAUSED_UPGRADE:
      // Stopped on purpose (the connection closes after this request); the rest is ignored.
      stopped_at_end_ = llhttp_get_error_pos(&parser_) == data.data() + data.size();
      return 0;
    default:
      failed_status_ = StatusForError(data);
      in_message_ = false;
      return failed_status_;
  }
}

}  // namespace ringleader
