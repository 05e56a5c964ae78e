// A small blocking HTTP/1.1 client for integration tests, with timeouts on every call, so a
// broken server fails a test instead of hanging it. Loopback only.
//
//   auto reply = HttpGet(port, "/health");             // one request, Connection: close
//   ClientConnection c;  ASSERT_TRUE(c.Connect(port).ok());
//   c.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
//   auto r = c.ReadResponse();                          // parses Content-Length framing
#pragma once

#include <netinet/in.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringleader::testing {

struct HttpReply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  // Value of header `name` (case-insensitive), or empty.
  std::string Header(std::string_view name) const;
};

class ClientConnection {
 public:
  ClientConnection() = default;
  ClientConnection(ClientConnection&& other) noexcept;
  ClientConnection& operator=(ClientConnection&&) = delete;
  ~ClientConnection();

  // `receive_buffer` > 0 sets SO_RCVBUF before connecting, for a client that reads slowly.
  // A `source` address (such as "127.0.0.2": all of 127.0.0.0/8 is loopback) is bound before
  // connecting, so that one test can be several clients; empty: the kernel's choice.
  absl::Status Connect(int port, absl::Duration timeout = absl::Seconds(3),
                       int receive_buffer = 0, std::string_view source = {});
  absl::Status Send(std::string_view bytes);
  // Reads one response (headers + Content-Length body). `head_only` for HEAD requests.
  // Errors: DeadlineExceeded (timed out), Unavailable (closed or reset before any byte of the
  // response), DataLoss (closed in the middle of one, or not HTTP).
  absl::StatusOr<HttpReply> ReadResponse(bool head_only = false);
  // Reads until the peer closes (or the timeout): everything that arrived.
  std::string ReadToEof();
  // True when the peer has closed its side (read returns 0) within the timeout.
  bool PeerClosed(absl::Duration timeout);
  void SetTimeout(absl::Duration timeout);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string buffered_;
};

// 127.0.0.1:`port`, for tests that need a raw socket.
sockaddr_in LoopbackAddress(int port);

// GET `path` on a fresh connection with "Connection: close", from `source` when given (see
// ClientConnection::Connect).
absl::StatusOr<HttpReply> HttpGet(int port, std::string_view path,
                                  absl::Duration timeout = absl::Seconds(3),
                                  std::string_view source = {});

// POST `body` to `path` on a fresh connection with "Connection: close".
absl::StatusOr<HttpReply> HttpPost(int port, std::string_view path, std::string_view body,
                                   absl::Duration timeout = absl::Seconds(3));

// Extracts the integer after "key": in a flat JSON body ({"worker":123} → 123), or -1.
long JsonInt(std::string_view body, std::string_view key);

}  // namespace ringleader::testing
