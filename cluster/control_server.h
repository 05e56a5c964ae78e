// ControlServer: the primary's control socket — a Unix stream socket (mode 0600, and only the
// primary's own uid or root may talk: SO_PEERCRED) served by the primary's ring. Requests are
// JSON lines; the owner answers each through a handler. A client cannot hurt the loop: a line
// over kMaxLine, or a client that sends nothing or half a line for kIdleTimeout, gets an error
// and is closed; at most kMaxClients are served at once; a subscriber (trace) that does not
// read is cut off once kMaxQueued bytes wait for it.
//
//   RL_ASSIGN_OR_RETURN(auto control, ControlServer::Open(ring, "/run/user/0/rl.sock",
//       [](std::string_view line, ControlClient& client) { client.Reply(R"({"ok":true})"); }));
//   control->Start();
//   control->Publish(trace_line);   // to every client that subscribed
//   control->Stop();                // closes everything; idle() once the ops are done
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/unique_fd.h"

namespace ringleader {

class ControlServer;

// One connected client, as the handler sees it.
class ControlClient {
 public:
  // Queues one reply line (a newline is added).
  void Reply(std::string_view json) noexcept;
  // From now on every Publish() reaches this client, until it closes.
  void Subscribe() noexcept { subscribed_ = true; }
  // Closes once the replies queued so far are sent.
  void CloseAfterReplies() noexcept;

 private:
  friend class ControlServer;
  ControlClient(ControlServer& server, UniqueFd fd);
  void StartReading() noexcept;
  void OnRecv(int res) noexcept;
  void OnSent(int res) noexcept;
  void Flush() noexcept;
  void Close() noexcept;
  void MaybeRelease() noexcept;

  ControlServer& server_;
  UniqueFd fd_;
  RecvOp recv_op_;
  SendOp send_op_;
  char buffer_[4096];
  std::string in_;
  std::string out_;      // queued, not yet handed to the kernel
  std::string sending_;  // what the send op has
  size_t sent_ = 0;
  absl::Time deadline_;  // for a complete request line (subscribers: none)
  bool subscribed_ = false;
  bool close_after_replies_ = false;
  bool closing_ = false;
  bool released_ = false;
  ControlClient* next_ = nullptr;
  ControlClient* prev_ = nullptr;
};

using ControlHandler = absl::AnyInvocable<void(std::string_view line, ControlClient& client)>;

class ControlServer {
 public:
  static constexpr size_t kMaxLine = 64 * 1024;
  static constexpr size_t kMaxQueued = 1024 * 1024;
  static constexpr int kMaxClients = 64;
  static constexpr absl::Duration kIdleTimeout = absl::Seconds(5);

  // Binds `path` (a stale socket file there is replaced; a live one is an error).
  static absl::StatusOr<std::unique_ptr<ControlServer>> Open(Ring& ring, std::string path,
                                                             ControlHandler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void Start() noexcept;
  void Publish(std::string_view line) noexcept;
  void Stop() noexcept;
  // After Stop(): no op of ours is in flight.
  bool idle() const noexcept;
  // Runs each time the server becomes idle after Stop() (the owner may finish then).
  void OnIdle(absl::AnyInvocable<void()> callback) noexcept { on_idle_ = std::move(callback); }
  const std::string& path() const noexcept { return path_; }

 private:
  friend class ControlClient;
  ControlServer(Ring& ring, std::string path, UniqueFd fd, ControlHandler handler);
  void OnAccept(int res) noexcept;
  void OnTick(int res) noexcept;
  void Release(ControlClient* client) noexcept;
  void MaybeIdle() noexcept;

  Ring& ring_;
  std::string path_;
  UniqueFd listen_fd_;
  ControlHandler handler_;
  absl::AnyInvocable<void()> on_idle_;
  AcceptOp accept_op_;
  TimeoutOp tick_op_;
  ControlClient* clients_ = nullptr;
  int client_count_ = 0;
  bool stopped_ = false;
};

}  // namespace ringleader
