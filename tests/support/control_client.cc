// The test view of ringleader-ctl's control client.
#include "tests/support/control_client.h"

#include "absl/strings/str_cat.h"

namespace ringleader::testing {

absl::Status ControlConnection::Connect(const std::string& path) {
  auto client = ctl::ControlClient::Connect(path, "a test");
  if (!client.ok()) return client.status();
  client_.emplace(std::move(*client));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ControlConnection::ReadLine(absl::Duration timeout) {
  absl::StatusOr<std::optional<std::string>> line = client_->ReadLine(timeout);
  if (!line.ok()) return line.status();
  if (!line->has_value()) return absl::UnavailableError("the server closed the connection");
  return std::move(**line);
}

absl::StatusOr<std::string> ControlRequest(const std::string& path, std::string_view line,
                                           absl::Duration timeout) {
  ControlConnection c;
  if (absl::Status s = c.Connect(path); !s.ok()) return s;
  if (absl::Status s = c.Send(absl::StrCat(std::string(line), "\n")); !s.ok()) return s;
  return c.ReadLine(timeout);
}

}  // namespace ringleader::testing
