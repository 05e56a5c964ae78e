// A client for the primary's control socket, for tests: one request line, one reply line.
//
//   auto reply = ControlRequest(DefaultControlPath(port), R"({"cmd":"status"})");
//   ControlConnection c;  c.Connect(path);  c.Send("junk\n");  c.ReadLine(absl::Seconds(6));
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/unique_fd.h"

namespace ringleader::testing {

class ControlConnection {
 public:
  absl::Status Connect(const std::string& path);
  absl::Status Send(std::string_view bytes);
  // The next reply line (without its newline); Unavailable when the server closed first.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::string buffered_;
};

// Connects, sends `line` and a newline, returns the first reply line.
absl::StatusOr<std::string> ControlRequest(const std::string& path, std::string_view line,
                                           absl::Duration timeout = absl::Seconds(5));

}  // namespace ringleader::testing
