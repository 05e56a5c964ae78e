// FakeServiceManager: systemd's end of sd_notify for a test — an abstract datagram socket whose
// name goes into the child's NOTIFY_SOCKET; the test reads each notification with a timeout.
//
//   FakeServiceManager systemd;
//   auto server = RingleaderServer::Start({"--workers=2"}, absl::Seconds(15), {systemd.env()});
//   EXPECT_THAT(systemd.Next(), HasSubstr("READY=1"));
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/unique_fd.h"

namespace ringleader::testing {

class FakeServiceManager {
 public:
  FakeServiceManager() : name_(absl::StrCat("@ringleader-test-notify-", ::getpid())) {
    fd_.Reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string abstract = name_.substr(1);
    std::copy(abstract.begin(), abstract.end(), address.sun_path + 1);
    const socklen_t length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract.size());
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), length), 0);
  }
  std::string env() const { return "NOTIFY_SOCKET=" + name_; }
  // The next datagram, or empty after `timeout`.
  std::string Next(absl::Duration timeout = absl::Seconds(15)) {
    pollfd p{.fd = fd_.get(), .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout))) != 1) return {};
    char buffer[4096];
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
  }

 private:
  std::string name_;
  UniqueFd fd_;
};

}  // namespace ringleader::testing
