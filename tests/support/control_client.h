// The control socket as tests use it: ringleader-ctl's own client (tools/ringleader_ctl/client.h)
// with a test's view of the result — one reply line, or an error when the server closed first.
//
//   auto reply = ControlRequest(DefaultControlPath(port), R"({"cmd":"status"})");
//   ControlConnection c;  c.Connect(path);  c.Send("junk\n");  c.ReadLine(absl::Seconds(6));
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/ringleader_ctl/client.h"

namespace ringleader::testing {

class ControlConnection {
 public:
  absl::Status Connect(const std::string& path);
  // Any bytes: half a line, junk, many requests at once.
  absl::Status Send(std::string_view bytes) { return client_->Send(bytes); }
  // The next reply line (without its newline); Unavailable when the server closed first.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);
  int fd() const { return client_->fd(); }

 private:
  std::optional<ctl::ControlClient> client_;
};

// Connects, sends `line` and a newline, returns the first reply line.
absl::StatusOr<std::string> ControlRequest(const std::string& path, std::string_view line,
                                           absl::Duration timeout = absl::Seconds(5));

}  // namespace ringleader::testing
