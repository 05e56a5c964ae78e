// ControlServer: binding the socket, accepting with a uid check, line framing, bounded replies.
#include "cluster/control_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "core/clock.h"
#include "core/status.h"

namespace ringleader {
namespace {

constexpr absl::Duration kTick = absl::Seconds(1);

absl::StatusOr<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return absl::InvalidArgumentError(
        absl::StrCat("--control path must be 1 to ", sizeof addr.sun_path - 1, " bytes: ", path));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

// Whether a server already answers at `addr` (then its socket file must not be replaced).
bool SomeoneListens(const sockaddr_un& addr) {
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return probe && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

// Only the primary's own user, or root, may operate it.
bool PeerAllowed(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  return cred.uid == 0 || cred.uid == ::getuid();
}

// A last word to a client we will not serve; it may not be reading, so never wait for it.
void RefuseNow(int fd, std::string_view why) {
  const std::string line = absl::StrCat(R"({"ok":false,"error":")", Absl(why), "\"}\n");
  (void)::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

ControlClient::ControlClient(ControlServer& server, UniqueFd fd)
    : server_(server),
      fd_(std::move(fd)),
      recv_op_([this](int res, uint32_t) noexcept { OnRecv(res); }),
      send_op_([this](int res, uint32_t) noexcept { OnSent(res); }),
      deadline_(MonotonicNow() + ControlServer::kIdleTimeout) {}

void ControlClient::StartReading() noexcept {
  recv_op_.Arm(server_.ring_, fd_.get(), buffer_, sizeof buffer_);
}

void ControlClient::OnRecv(int res) noexcept {
  if (closing_) return MaybeRelease();
  if (res <= 0) return Close();  // the client left (or its socket failed)
  in_.append(buffer_, static_cast<size_t>(res));
  size_t start = 0;
  for (size_t end; !closing_ && (end = in_.find('\n', start)) != std::string::npos;
       start = end + 1) {
    deadline_ = MonotonicNow() + ControlServer::kIdleTimeout;
    std::string_view line(in_.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) server_.handler_(line, *this);
  }
  in_.erase(0, start);
  if (in_.size() > ControlServer::kMaxLine) {
    Reply(absl::StrCat(R"({"ok":false,"error":"request line over )", ControlServer::kMaxLine,
                       R"( bytes"})"));
    CloseAfterReplies();
  }
  if (closing_) return MaybeRelease();
  StartReading();
}

void ControlClient::Reply(std::string_view json) noexcept {
  if (closing_) return;
  if (out_.size() + json.size() + 1 > ControlServer::kMaxQueued) return Close();  // not reading
  out_.append(json);
  out_.push_back('\n');
  Flush();
}

void ControlClient::CloseAfterReplies() noexcept {
  close_after_replies_ = true;
  if (out_.empty() && sending_.empty()) Close();
}

void ControlClient::Flush() noexcept {
  if (closing_ || send_op_.in_flight()) return;
  if (sending_.empty()) {
    if (out_.empty()) {
      if (close_after_replies_) Close();
      return;
    }
    sending_.swap(out_);
    sent_ = 0;
  }
  send_op_.Arm(server_.ring_, fd_.get(), sending_.data() + sent_, sending_.size() - sent_);
}

void ControlClient::OnSent(int res) noexcept {
  if (closing_) return MaybeRelease();
  if (res < 0) return Close();
  sent_ += static_cast<size_t>(res);
  if (sent_ == sending_.size()) sending_.clear();
  Flush();
}

void ControlClient::Close() noexcept {
  if (closing_) return;
  closing_ = true;
  ::shutdown(fd_.get(), SHUT_RDWR);  // the pending recv completes at once
  server_.ring_.Cancel(recv_op_);
  server_.ring_.Cancel(send_op_);
  MaybeRelease();
}

void ControlClient::MaybeRelease() noexcept {
  if (released_ || recv_op_.in_flight() || send_op_.in_flight()) return;
  released_ = true;
  server_.Release(this);
}

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Open(Ring& ring, std::string path,
                                                                   ControlHandler handler) {
  RL_ASSIGN_OR_RETURN(const sockaddr_un addr, UnixAddress(path));
  if (SomeoneListens(addr)) {
    return absl::AlreadyExistsError(
        absl::StrCat("another ringleader answers on the control socket ", path));
  }
  ::unlink(path.c_str());  // a stale socket of a primary that is gone
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return ErrnoStatus(errno, "socket");
  // Created 0600: there is no moment in which another user could connect.
  const mode_t old_mask = ::umask(0177);
  const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int bind_error = errno;
  ::umask(old_mask);
  if (bound != 0) return ErrnoStatus(bind_error, absl::StrCat("bind control socket ", path));
  if (::listen(fd.get(), 16) != 0) return ErrnoStatus(errno, "listen on the control socket");
  return std::unique_ptr<ControlServer>(
      new ControlServer(ring, std::move(path), std::move(fd), std::move(handler)));
}

ControlServer::ControlServer(Ring& ring, std::string path, UniqueFd fd, ControlHandler handler)
    : ring_(ring),
      path_(std::move(path)),
      listen_fd_(std::move(fd)),
      handler_(std::move(handler)),
      accept_op_([this](int res, uint32_t) noexcept { OnAccept(res); }),
      tick_op_([this](int res, uint32_t) noexcept { OnTick(res); }) {}

ControlServer::~ControlServer() {
  while (clients_ != nullptr) {
    ControlClient* c = clients_;
    clients_ = c->next_;
    delete c;
  }
  ::unlink(path_.c_str());
}

void ControlServer::Start() noexcept {
  accept_op_.Arm(ring_, listen_fd_.get(), /*multishot=*/false);
  tick_op_.Arm(ring_, kTick);
}

void ControlServer::OnAccept(int res) noexcept {
  if (res >= 0) {
    UniqueFd fd(res);
    if (stopped_) {
      RefuseNow(fd.get(), "the server is stopping");  // accepted as the cancel was on its way
    } else if (!PeerAllowed(fd.get())) {
      RefuseNow(fd.get(), "permission denied: only the server's own user or root");
    } else if (client_count_ >= kMaxClients) {
      RefuseNow(fd.get(), "too many control clients");
    } else {
      auto* c = new ControlClient(*this, std::move(fd));
      c->next_ = clients_;
      if (clients_ != nullptr) clients_->prev_ = c;
      clients_ = c;
      ++client_count_;
      c->StartReading();
    }
  }
  // Errors (EMFILE...) wait for the tick rather than spin.
  if (!stopped_ && (res >= 0 || res == -EINTR || res == -ECONNABORTED)) {
    accept_op_.Arm(ring_, listen_fd_.get(), false);
  }
  MaybeIdle();
}

void ControlServer::OnTick(int res) noexcept {
  if (res != -ETIME) return MaybeIdle();
  const absl::Time now = MonotonicNow();
  for (ControlClient* c = clients_; c != nullptr; c = c->next_) {
    if (c->closing_ || now <= c->deadline_ || (c->subscribed_ && !stopped_)) continue;
    if (c->close_after_replies_ || stopped_) {
      c->Close();  // its replies did not drain in time: it is not reading
    } else {
      c->Reply(R"({"ok":false,"error":"no complete request line within 5 s"})");
      c->deadline_ = now + kIdleTimeout;  // for the error itself to drain
      c->CloseAfterReplies();
    }
  }
  if (!stopped_ && !accept_op_.in_flight()) accept_op_.Arm(ring_, listen_fd_.get(), false);
  // Stopped: ticks continue only while clients still get their last replies.
  if (!stopped_ || clients_ != nullptr) tick_op_.Arm(ring_, kTick);
  MaybeIdle();
}

void ControlServer::Publish(std::string_view line) noexcept {
  for (ControlClient* c = clients_; c != nullptr; c = c->next_) {
    if (c->subscribed_) c->Reply(line);
  }
}

void ControlServer::Release(ControlClient* c) noexcept {
  if (c->prev_ != nullptr) c->prev_->next_ = c->next_;
  if (c->next_ != nullptr) c->next_->prev_ = c->prev_;
  if (clients_ == c) clients_ = c->next_;
  --client_count_;
  ring_.Defer([c] { delete c; });
  if (stopped_ && clients_ == nullptr) ring_.Cancel(tick_op_);
  MaybeIdle();
}

void ControlServer::MaybeIdle() noexcept {
  if (stopped_ && idle() && on_idle_) ring_.Defer([this] { on_idle_(); });
}

void ControlServer::Stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  ring_.Cancel(accept_op_);
  // Replies already queued (the answer to "stop" itself) get a second to drain.
  const absl::Time last_call = MonotonicNow() + absl::Seconds(1);
  for (ControlClient* c = clients_; c != nullptr;) {
    ControlClient* next = c->next_;  // closing may release c
    c->deadline_ = last_call;
    c->CloseAfterReplies();
    c = next;
  }
  if (clients_ == nullptr) ring_.Cancel(tick_op_);
  ::unlink(path_.c_str());
}

bool ControlServer::idle() const noexcept {
  return !accept_op_.in_flight() && !tick_op_.in_flight() && clients_ == nullptr;
}

}  // namespace ringleader
