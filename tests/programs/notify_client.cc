// NotifyClient: $NOTIFY_SOCKET parsing, connect, and datagrams with or without control data.
#include "tests/programs/notify_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace mini {

std::optional<NotifyClient> NotifyClient::FromEnv(const char* program) {
  const char* name = std::getenv("NOTIFY_SOCKET");
  const size_t length = name == nullptr ? 0 : std::strlen(name);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (length < 2 || length >= sizeof address.sun_path || (name[0] != '/' && name[0] != '@')) {
    std::fprintf(stderr, "%s: NOTIFY_SOCKET is unset or not a path or @name\n", program);
    return std::nullopt;
  }
  std::memcpy(address.sun_path, name, length);
  if (name[0] == '@') address.sun_path[0] = '\0';  // abstract: the length, not a NUL, ends it
  const socklen_t address_length =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length + (name[0] == '/'));
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address), address_length) != 0) {
    std::fprintf(stderr, "%s: NOTIFY_SOCKET %s: %s\n", program, name, std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return std::nullopt;
  }
  return NotifyClient(fd);
}

NotifyClient::NotifyClient(NotifyClient&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

NotifyClient::~NotifyClient() {
  if (fd_ >= 0) ::close(fd_);
}

int NotifyClient::Send(std::string_view message, int flags) const {
  return ::send(fd_, message.data(), message.size(), flags | MSG_NOSIGNAL) < 0 ? errno : 0;
}

int NotifyClient::SendAs(std::string_view message, pid_t pid) const {
  const ucred credentials{.pid = pid, .uid = ::getuid(), .gid = ::getgid()};
  return SendControl(message, SOL_SOCKET, SCM_CREDENTIALS, &credentials, sizeof credentials);
}

int NotifyClient::SendWithFd(std::string_view message, int passed_fd) const {
  return SendControl(message, SOL_SOCKET, SCM_RIGHTS, &passed_fd, sizeof passed_fd);
}

int NotifyClient::SendControl(std::string_view message, int level, int type, const void* data,
                              size_t length) const {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))] = {};  // the larger of both payloads
  iovec iov{const_cast<char*>(message.data()), message.size()};
  msghdr header{};
  header.msg_iov = &iov;
  header.msg_iovlen = 1;
  header.msg_control = control;
  header.msg_controllen = CMSG_SPACE(length);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
  cmsg->cmsg_level = level;
  cmsg->cmsg_type = type;
  cmsg->cmsg_len = CMSG_LEN(length);
  std::memcpy(CMSG_DATA(cmsg), data, length);
  return ::sendmsg(fd_, &header, MSG_NOSIGNAL) < 0 ? errno : 0;
}

}  // namespace mini
