// Blocking loopback HTTP client with receive/send timeouts.
#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ringleader::testing {

std::string HttpReply::Header(std::string_view name) const {
  const std::string lower_head = absl::AsciiStrToLower(head);
  const std::string key = absl::AsciiStrToLower(std::string(name)) + ":";
  auto pos = lower_head.find("\r\n" + key);
  if (pos == std::string::npos) return "";
  pos += 2 + key.size();
  const auto end = head.find("\r\n", pos);
  std::string value = head.substr(pos, end - pos);
  return std::string(absl::StripAsciiWhitespace(value));
}

ClientConnection::ClientConnection(ClientConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffered_(std::move(other.buffered_)) {}

ClientConnection::~ClientConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void ClientConnection::SetTimeout(absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

absl::Status ClientConnection::Connect(int port, absl::Duration timeout, int receive_buffer,
                                       std::string_view source) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return absl::InternalError("socket");
  SetTimeout(timeout);
  if (receive_buffer > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!source.empty()) {
    const std::string address(source);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, address.c_str(), &from.sin_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("not an IPv4 address: ", address));
    }
    // The port is chosen at connect, per destination, so many short connections from one
    // source address do not use up the ephemeral ports.
    ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      return absl::UnavailableError(absl::StrCat("bind ", address, ": ", std::strerror(errno)));
    }
  }
  sockaddr_in addr = LoopbackAddress(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return absl::UnavailableError(absl::StrCat("connect: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status ClientConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("send: ", std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::StatusOr<HttpReply> ClientConnection::ReadResponse(bool head_only) {
  char chunk[16384];
  HttpReply reply;
  size_t header_end = std::string::npos;
  size_t need = 0;
  while (true) {
    if (header_end == std::string::npos) {
      header_end = buffered_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        reply.head = buffered_.substr(0, header_end + 2);
        if (reply.head.size() < 12 || !absl::SimpleAtoi(reply.head.substr(9, 3), &reply.status)) {
          return absl::DataLossError("bad status line: " + reply.head);
        }
        size_t length = 0;
        const std::string cl = reply.Header("Content-Length");
        if (!head_only && !cl.empty() && !absl::SimpleAtoi(cl, &length)) {
          return absl::DataLossError("bad Content-Length");
        }
        need = header_end + 4 + length;
        // An interim 100 Continue is returned as its own reply.
      }
    }
    if (header_end != std::string::npos && buffered_.size() >= need) {
      reply.body = buffered_.substr(header_end + 4, need - header_end - 4);
      buffered_.erase(0, need);
      return reply;
    }
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    // Unavailable: the connection went away before any byte of this response (a client may
    // retry an idempotent request); DataLoss: it went away in the middle of one.
    if (n == 0 && buffered_.empty()) return absl::UnavailableError("closed before a response");
    if (n == 0) return absl::DataLossError("connection closed in the middle of a response");
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return absl::DeadlineExceededError("recv: timed out");
      }
      const std::string why = absl::StrCat("recv: ", std::strerror(errno));
      return buffered_.empty() ? absl::UnavailableError(why) : absl::DataLossError(why);
    }
    buffered_.append(chunk, static_cast<size_t>(n));
  }
}

std::string ClientConnection::ReadToEof() {
  std::string out = std::move(buffered_);
  buffered_.clear();
  char chunk[16384];
  while (true) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      out.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return out;
  }
}

bool ClientConnection::PeerClosed(absl::Duration timeout) {
  pollfd p{fd_, POLLIN, 0};
  const absl::Time deadline = absl::Now() + timeout;
  char chunk[4096];
  while (absl::Now() < deadline) {
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1;
    if (::poll(&p, 1, ms) <= 0) continue;
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset also means closed
    if (n > 0) buffered_.append(chunk, static_cast<size_t>(n));
  }
  return false;
}

sockaddr_in LoopbackAddress(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

absl::StatusOr<HttpReply> HttpGet(int port, std::string_view path, absl::Duration timeout,
                                  std::string_view source) {
  ClientConnection c;
  if (absl::Status s = c.Connect(port, timeout, 0, source); !s.ok()) return s;
  if (absl::Status s = c.Send(absl::StrCat("GET ", std::string(path),
                                           " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
      !s.ok()) {
    return s;
  }
  return c.ReadResponse();
}

absl::StatusOr<HttpReply> HttpPost(int port, std::string_view path, std::string_view body,
                                   absl::Duration timeout) {
  ClientConnection c;
  if (absl::Status s = c.Connect(port, timeout); !s.ok()) return s;
  if (absl::Status s = c.Send(absl::StrCat("POST ", std::string(path),
                                           " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                                           "Content-Length: ", body.size(), "\r\n\r\n",
                                           std::string(body)));
      !s.ok()) {
    return s;
  }
  return c.ReadResponse();
}

long JsonInt(std::string_view body, std::string_view key) {
  const std::string needle = absl::StrCat("\"", std::string(key), "\":");
  const auto pos = std::string(body).find(needle);
  if (pos == std::string::npos) return -1;
  long value = -1;
  size_t end = pos + needle.size();
  while (end < body.size() && (std::isdigit(static_cast<unsigned char>(body[end])) || body[end] == '-')) ++end;
  if (!absl::SimpleAtoi(std::string(body.substr(pos + needle.size(), end - pos - needle.size())), &value)) return -1;
  return value;
}

}  // namespace ringleader::testing
