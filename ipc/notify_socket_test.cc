// Unit tests for ipc/notify_socket.h on a real Ring and real sockets: credentials from this
// process and from a forked child, garbage and oversize dropped while good messages pass, a
// flood that never blocks either side, path and abstract names, file mode, unlink, Stop().
#include "ipc/notify_socket.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/absl_bridge.h"
#include "core/ops.h"
#include "core/ring.h"
#include "core/ring_test_util.h"
#include "core/sd_notify.h"
#include "core/unix_address.h"

namespace ringleader {
namespace {

struct Received {
  pid_t pid;
  uid_t uid;
  NotifyMessage message;
};

int OpenFdCount() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  while (dir != nullptr && ::readdir(dir) != nullptr) ++count;
  if (dir != nullptr) ::closedir(dir);
  return count;
}

// Sends raw bytes to `name` as a misbehaving child would, optionally with one SOL_SOCKET control
// message of `type` (SCM_RIGHTS, SCM_CREDENTIALS) carrying `data`. Bytes sent, or -errno.
ssize_t SendRaw(const std::string& name, std::string_view bytes, int type = 0,
                const void* data = nullptr, size_t data_length = 0) {
  auto to = MakeUnixAddress(name);
  if (!to.ok()) return -1;
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  iovec iov;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
  const bool with_control = data != nullptr && CMSG_SPACE(data_length) <= sizeof control;
  msghdr msg = OneBufferMessage(iov, const_cast<char*>(bytes.data()), bytes.size(),
                                with_control ? control : nullptr,
                                with_control ? CMSG_SPACE(data_length) : 0);
  msg.msg_name = const_cast<sockaddr_un*>(&to->address);
  msg.msg_namelen = to->length;
  if (with_control) {
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(data_length);
    std::memcpy(CMSG_DATA(c), data, data_length);
  }
  const ssize_t sent = ::sendmsg(fd.get(), &msg, MSG_DONTWAIT);
  return sent < 0 ? -errno : sent;  // before fd's close can touch errno
}

class NotifySocketTest : public testing::Test {
 protected:
  void SetUp() override {
    auto ring = Ring::Create();
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
  }

  void TearDown() override {
    for (auto& socket : sockets_) socket->Stop();
    EXPECT_TRUE(RunRingUntil(*ring_, [&] {
      for (auto& socket : sockets_) {
        if (socket->in_flight()) return false;
      }
      return true;
    }));
    sockets_.clear();
    EXPECT_EQ(ring_->ops_in_flight(), 0);
  }

  std::string Abstract(std::string_view tag) {
    return absl::StrCat("@ringleader-notify-test-", ::getpid(), "-", Absl(tag));
  }
  std::string Path(std::string_view tag) {
    return absl::StrCat(::testing::TempDir(), "notify-test-", ::getpid(), "-", Absl(tag));
  }

  // Binds and starts a socket at `name` whose messages land in received_.
  NotifySocket& Open(const std::string& name) {
    auto socket = NotifySocket::Bind(
        *ring_, name, {.on_message = [this](pid_t pid, uid_t uid, const NotifyMessage& m) {
          received_.push_back({pid, uid, m});
        }});
    EXPECT_TRUE(socket.ok()) << socket.status();
    sockets_.push_back(std::move(*socket));
    sockets_.back()->Start();
    return *sockets_.back();
  }

  bool RunUntil(const std::function<bool()>& done) { return RunRingUntil(*ring_, done); }

  std::unique_ptr<Ring> ring_;
  std::vector<std::unique_ptr<NotifySocket>> sockets_;
  std::vector<Received> received_;
};

TEST_F(NotifySocketTest, DeliversWithThisProcessCredentials) {
  NotifySocket& socket = Open(Abstract("self"));
  ASSERT_TRUE(SdNotify(socket.name(), "READY=1\nSTATUS=up").ok());
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 1; }));
  EXPECT_EQ(received_[0].pid, ::getpid());
  EXPECT_EQ(received_[0].uid, ::getuid());
  EXPECT_TRUE(received_[0].message.ready);
  EXPECT_EQ(received_[0].message.status, "up");
  EXPECT_EQ(socket.stats().delivered, 1u);
}

// The identity rule: the pid is the sender's, whatever socket it writes to, so a child that
// talks on its sibling's socket is seen as itself and the owner refuses it there.
TEST_F(NotifySocketTest, ForkedChildIsIdentifiedByItsOwnPid) {
  NotifySocket& mine = Open(Path("mine"));
  NotifySocket& sibling = Open(Abstract("sibling"));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const bool ok = SdNotify(mine.name(), "READY=1").ok() &&
                    SdNotify(sibling.name(), "STOPPING=1").ok();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_EQ(status, 0);
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 2; }));
  for (const Received& r : received_) EXPECT_EQ(r.pid, child);
  EXPECT_NE(received_[0].pid, ::getpid());
}

// The limit stated in the header: SCM_CREDENTIALS naming another pid is refused by the kernel
// (EPERM) unless the sender has CAP_SYS_ADMIN; then the socket reports the claimed pid.
TEST_F(NotifySocketTest, ClaimingAnotherPidNeedsRoot) {
  NotifySocket& socket = Open(Abstract("claim"));
  const ucred claimed{.pid = 1, .uid = ::getuid(), .gid = ::getgid()};
  if (const ssize_t sent =
          SendRaw(socket.name(), "READY=1", SCM_CREDENTIALS, &claimed, sizeof claimed);
      sent < 0) {
    EXPECT_EQ(sent, -EPERM);
    GTEST_SKIP() << "not privileged: the kernel refused the claim, as it should";
  }
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 1; }));
  EXPECT_EQ(received_[0].pid, 1);  // why per-child sockets cover accidents, not a hostile root
}

TEST_F(NotifySocketTest, GarbageAndOversizeAreCountedAndDropped) {
  NotifySocket& socket = Open(Abstract("hostile"));
  UniqueFd passed(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int fds_before = OpenFdCount();
  ASSERT_GT(SendRaw(socket.name(), "hello"), 0);
  ASSERT_GT(SendRaw(socket.name(), std::string("READY=1\0", 8)), 0);
  ASSERT_GT(SendRaw(socket.name(), "READY=1\n" + std::string(kMaxNotifyDatagram, 'x')), 0);
  ASSERT_GT(SendRaw(socket.name(), "STATUS=" + std::string(kMaxNotifyDatagram - 6, 'x')), 0);
  // A descriptor does not fit the control buffer: MSG_CTRUNC, and it is never installed here.
  const int passed_fd = passed.get();
  ASSERT_GT(SendRaw(socket.name(), "READY=1", SCM_RIGHTS, &passed_fd, sizeof passed_fd), 0);
  ASSERT_GT(SendRaw(socket.name(), "WATCHDOG=1"), 0);
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 1; }));
  EXPECT_EQ(received_[0].message.watchdog, WatchdogSignal::kHeartbeat);
  EXPECT_EQ(socket.stats().garbage, 2u);
  EXPECT_EQ(socket.stats().oversize, 3u);
  EXPECT_EQ(socket.stats().delivered, 1u);
  EXPECT_EQ(OpenFdCount(), fds_before);
}

// 10,000 datagrams from a child as fast as it can: the child's sends fail with EAGAIN once the
// queue is full instead of waiting, the loop keeps turning, and every datagram that was sent
// is delivered.
TEST_F(NotifySocketTest, FloodNeverBlocks) {
  constexpr int kFlood = 10000;
  NotifySocket& socket = Open(Abstract("flood"));
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int counts[2] = {0, 0};  // sent, refused with EAGAIN
    for (int i = 0; i < kFlood; ++i) {
      const absl::Status s = SdNotify(socket.name(), "WATCHDOG=1");
      if (s.ok()) {
        ++counts[0];
      } else if (absl::IsUnavailable(s)) {
        ++counts[1];
      }
    }
    const bool written = ::write(write_end.get(), counts, sizeof counts) == sizeof counts;
    ::_exit(written ? 0 : 1);
  }
  write_end.Reset();
  absl::Duration longest_turn;
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    const absl::Time start = absl::Now();
    RunRingFor(*ring_, absl::Milliseconds(2));
    longest_turn = std::max(longest_turn, absl::Now() - start);
  }
  ASSERT_EQ(status, 0);
  int counts[2] = {0, 0};
  ASSERT_EQ(::read(read_end.get(), counts, sizeof counts), static_cast<ssize_t>(sizeof counts));
  EXPECT_EQ(counts[0] + counts[1], kFlood);
  ASSERT_TRUE(RunUntil([&] { return received_.size() == static_cast<size_t>(counts[0]); }));
  EXPECT_EQ(socket.stats().delivered, static_cast<uint64_t>(counts[0]));
  EXPECT_LT(longest_turn, absl::Milliseconds(500));
  std::printf("flood: %d sent, %d refused with EAGAIN, longest loop slice %s\n", counts[0],
              counts[1], absl::FormatDuration(longest_turn).c_str());
  for (const Received& r : received_) ASSERT_EQ(r.pid, child);
}

TEST_F(NotifySocketTest, PathSocketIsPrivateAndUnlinkedOnDestroy) {
  const std::string path = Path("mode");
  NotifySocket& socket = Open(path);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // A second socket cannot take the name.
  auto again = NotifySocket::Bind(*ring_, path, {.on_message = [](pid_t, uid_t, auto&) {}});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  socket.Stop();
  ASSERT_TRUE(RunUntil([&] { return !socket.in_flight(); }));
  sockets_.clear();
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
}

TEST_F(NotifySocketTest, DestroyLeavesAReplacedFileAlone) {
  const std::string path = Path("replaced");
  NotifySocket& socket = Open(path);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  UniqueFd file(::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  ASSERT_TRUE(file);
  socket.Stop();
  ASSERT_TRUE(RunUntil([&] { return !socket.in_flight(); }));
  sockets_.clear();
  EXPECT_EQ(::access(path.c_str(), F_OK), 0);
  ::unlink(path.c_str());
}

TEST_F(NotifySocketTest, AbstractNameMakesNoFile) {
  NotifySocket& socket = Open(Abstract("abstract"));
  EXPECT_EQ(socket.name().front(), '@');
  EXPECT_NE(::access(socket.name().c_str() + 1, F_OK), 0);
  ASSERT_TRUE(SdNotify(socket.name(), "STOPPING=1").ok());
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 1; }));
  EXPECT_TRUE(received_[0].message.stopping);
}

TEST_F(NotifySocketTest, OnStoppedRunsOnceTheCancelledReceiveHasCompleted) {
  int stopped = 0;
  auto bound = NotifySocket::Bind(*ring_, Abstract("on-stopped"),
                                  {.on_message = [](pid_t, uid_t, auto&) {},
                                   .on_stopped = [&] { ++stopped; }});
  ASSERT_TRUE(bound.ok()) << bound.status();
  std::unique_ptr<NotifySocket> socket = std::move(*bound);
  socket->Start();
  RunRingFor(*ring_, absl::Milliseconds(5));
  EXPECT_EQ(stopped, 0);
  socket->Stop();
  EXPECT_TRUE(socket->in_flight());
  ASSERT_TRUE(RunUntil([&] { return stopped == 1; }));
  EXPECT_FALSE(socket->in_flight());
}

TEST_F(NotifySocketTest, StopFromInsideTheHandler) {
  const std::string name = Abstract("stop");
  std::unique_ptr<NotifySocket> socket;
  int calls = 0;
  auto bound = NotifySocket::Bind(*ring_, name, {.on_message = [&](pid_t, uid_t, auto&) {
                                                   ++calls;
                                                   socket->Stop();
                                                 }});
  ASSERT_TRUE(bound.ok());
  socket = std::move(*bound);
  socket->Start();
  ASSERT_TRUE(SdNotify(name, "READY=1").ok());
  ASSERT_TRUE(SdNotify(name, "READY=1").ok());
  ASSERT_TRUE(RunUntil([&] { return calls == 1 && !socket->in_flight(); }));
  RunRingFor(*ring_, absl::Milliseconds(10));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ring_->ops_in_flight(), 0);
  // Restartable: the queued datagram is read after Start().
  socket->Start();
  ASSERT_TRUE(RunUntil([&] { return calls == 2; }));
  socket->Stop();
  ASSERT_TRUE(RunUntil([&] { return !socket->in_flight(); }));
}

// Start() right after Stop(), before the cancel completed: the cancel's -ECANCELED must not be
// taken for a failure, and receiving goes on.
TEST_F(NotifySocketTest, RestartBeforeTheCancelCompletes) {
  NotifySocket& socket = Open(Abstract("restart"));
  RunRingFor(*ring_, absl::Milliseconds(5));
  socket.Stop();
  socket.Start();
  ASSERT_TRUE(SdNotify(socket.name(), "READY=1").ok());
  ASSERT_TRUE(RunUntil([&] { return received_.size() == 1; }));
  EXPECT_EQ(socket.stats().receive_errors, 0u);
  EXPECT_TRUE(socket.in_flight());
}

TEST_F(NotifySocketTest, StopCancelsAnIdleReceive) {
  NotifySocket& socket = Open(Abstract("idle"));
  RunRingFor(*ring_, absl::Milliseconds(5));
  EXPECT_TRUE(socket.in_flight());
  socket.Stop();
  ASSERT_TRUE(RunUntil([&] { return !socket.in_flight(); }));
  EXPECT_EQ(ring_->ops_in_flight(), 0);
  EXPECT_EQ(socket.stats().receive_errors, 0u);
}

TEST_F(NotifySocketTest, RefusesBadNamesAndAMissingCallback) {
  EXPECT_EQ(NotifySocket::Bind(*ring_, Abstract("nocb"), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto none = NotifySocket::Bind(*ring_, "", {.on_message = [](pid_t, uid_t, auto&) {}});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  auto missing = NotifySocket::Bind(*ring_, "/nonexistent-dir/notify",
                                    {.on_message = [](pid_t, uid_t, auto&) {}});
  EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace ringleader
