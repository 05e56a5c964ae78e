// NotifyClient: the client half of the sd_notify protocol for the `ringleader exec` test
// programs (libc only): one AF_UNIX datagram socket connected to $NOTIFY_SOCKET, which is a
// path ("/run/...") or an abstract name ("@name").
//
//   std::optional<mini::NotifyClient> notify = mini::NotifyClient::FromEnv("notify_server");
//   if (notify) notify->Send("READY=1");
//   notify->SendAs("READY=1", /*pid=*/1);   // SCM_CREDENTIALS for another pid: root only
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

namespace mini {

class NotifyClient {
 public:
  // Connects to $NOTIFY_SOCKET; nullopt (with the reason printed, naming `program`) when it is
  // unset, malformed or cannot be reached.
  static std::optional<NotifyClient> FromEnv(const char* program);
  NotifyClient(NotifyClient&& other) noexcept;
  NotifyClient& operator=(NotifyClient&&) = delete;
  NotifyClient(const NotifyClient&) = delete;
  ~NotifyClient();

  // Sends `message` as one datagram; 0 or the errno. MSG_DONTWAIT in `flags` makes it
  // non-blocking (EAGAIN when the receiver's queue is full).
  int Send(std::string_view message, int flags = 0) const;
  // Sends `message` with SCM_CREDENTIALS naming `pid` (and our uid/gid). The kernel only lets a
  // process with CAP_SYS_ADMIN claim a pid not its own: EPERM for everyone else.
  int SendAs(std::string_view message, pid_t pid) const;
  // Sends `message` with `passed_fd` attached (SCM_RIGHTS): a receiver must close what it did
  // not ask for.
  int SendWithFd(std::string_view message, int passed_fd) const;

 private:
  explicit NotifyClient(int fd) : fd_(fd) {}
  int SendControl(std::string_view message, int level, int type, const void* data,
                  size_t length) const;
  int fd_ = -1;
};

}  // namespace mini
