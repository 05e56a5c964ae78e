// One connection to the control socket: connect, send one request line, read reply lines.
// Errors are one sentence fit to print as they are ("no ringleader is listening on PATH ...").
//
//   absl::StatusOr<ControlClient> client = ControlClient::Connect(path, "--port=3000");
//   if (!client.ok()) { std::cerr << client.status().message(); return kExitFailed; }
//   absl::StatusOr<std::string> reply = client->Request("{\"cmd\":\"status\"}\n",
//   absl::Seconds(5));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringleader::ctl {

inline constexpr size_t kMaxReplyLine = 8 << 20;  // a status of thousands of workers fits

class ControlClient {
 public:
  // `how_started` completes the "not listening" hint: "is it running with <how_started>?".
  // Unavailable when nothing listens there, PermissionDenied when the socket is not ours.
  static absl::StatusOr<ControlClient> Connect(const std::string& path,
                                               std::string_view how_started);
  ~ControlClient();
  ControlClient(ControlClient&& other) noexcept;
  ControlClient& operator=(ControlClient&&) = delete;
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;

  absl::Status Send(std::string_view line);

  // The next line without its newline; nullopt when the server closed the connection cleanly
  // between lines. DeadlineExceeded when nothing complete arrived in `timeout`.
  absl::StatusOr<std::optional<std::string>> ReadLine(absl::Duration timeout);

  // Send, then the first reply line (a close before it is an error).
  absl::StatusOr<std::string> Request(std::string_view line, absl::Duration timeout);

  // For poll(): readable means ReadLine may have something. Lines already buffered count too.
  int fd() const { return fd_; }
  bool HasBufferedLine() const { return buffer_.find('\n') != std::string::npos; }

 private:
  ControlClient(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
};

}  // namespace ringleader::ctl
