// fork/exec with inherited descriptors, pidfd watching, reaping and signalling.
#include "core/process.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/decimal.h"
#include "core/exit_codes.h"
#include "core/signals.h"
#include "core/status.h"

extern char** environ;

namespace ringleader {
namespace {

// Everything the child touches is prepared before fork: after it only async-signal-safe calls.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> merged;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool overridden = false;
    for (const std::string& x : extra) {
      const auto eq = x.find('=');
      if (entry.substr(0, eq + 1) == std::string_view(x).substr(0, eq + 1)) overridden = true;
    }
    if (!overridden) merged.emplace_back(entry);
  }
  merged.insert(merged.end(), extra.begin(), extra.end());
  return merged;
}

std::vector<char*> PointerArray(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Moves each source to its target number. Sources are first copied above every target, so a
// target that is also another mapping's source is never overwritten before it is read.
void PlaceDescriptors(const std::vector<SpawnRequest::FdAt>& fds_at) {
  int copies[16];
  const size_t count = fds_at.size() < 16 ? fds_at.size() : 16;
  for (size_t i = 0; i < count; ++i) copies[i] = ::fcntl(fds_at[i].fd, F_DUPFD_CLOEXEC, 64);
  for (size_t i = 0; i < count; ++i) {
    if (copies[i] < 0 || ::dup2(copies[i], fds_at[i].at) < 0) ::_exit(127);
  }
}

// Gives up root for good, or exits: a worker must never run with more rights than asked.
void DropPrivileges(const SpawnRequest::Identity& identity) {
  const gid_t group = identity.gid;
  if (::setgroups(1, &group) != 0 || ::setresgid(group, group, group) != 0 ||
      ::setresuid(identity.uid, identity.uid, identity.uid) != 0 ||
      ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    ::_exit(kExitFatal);
  }
  if (identity.uid != 0 && ::setuid(0) == 0) ::_exit(kExitFatal);  // proof it cannot go back
}

[[noreturn]] void ExecInChild(const SpawnRequest& request, pid_t parent, char* const* argv,
                              char* const* envp, char* own_pid_digits) {
  for (int fd : request.inherit_fds) ::fcntl(fd, F_SETFD, 0);
  PlaceDescriptors(request.fds_at);
  if (own_pid_digits != nullptr) {
    FormatDecimal(own_pid_digits, kMaxDecimalBytes, static_cast<unsigned long>(::getpid()));
  }
  // Before the parent-death signal: changing credentials clears it.
  if (request.run_as) DropPrivileges(*request.run_as);
  if (request.parent_death_signal != 0) {
    ::prctl(PR_SET_PDEATHSIG, request.parent_death_signal);
    if (::getppid() != parent) ::_exit(127);
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  // exec keeps ignored signals ignored; the contract is default dispositions for all.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &dfl, nullptr);
  }
  ::execve(request.executable.c_str(), argv, envp);
  ::_exit(127);
}

}  // namespace

absl::StatusOr<Child> Spawn(const SpawnRequest& request) {
  std::vector<std::string> argv_strings = request.argv;
  if (request.fds_at.size() > 16) return absl::InvalidArgumentError("more than 16 fds_at");
  std::vector<std::string> extra = request.env;
  if (!request.own_pid_variable.empty()) {
    // Room for the digits the child writes in place.
    extra.push_back(request.own_pid_variable + "=" + std::string(kMaxDecimalBytes - 1, '0'));
  }
  std::vector<std::string> env_strings = MergedEnvironment(extra);
  std::vector<char*> argv = PointerArray(argv_strings);
  std::vector<char*> envp = PointerArray(env_strings);
  char* own_pid_digits = request.own_pid_variable.empty()
                             ? nullptr
                             : env_strings.back().data() + request.own_pid_variable.size() + 1;
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus(errno, "fork");
  if (pid == 0) ExecInChild(request, parent, argv.data(), envp.data(), own_pid_digits);

  // The child cannot be reaped before we do, so its pid cannot be recycled under pidfd_open.
  Child child;
  child.pid = pid;
  child.pidfd.Reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!child.pidfd) {
    const int err = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return ErrnoStatus(err, "pidfd_open");
  }
  return child;
}

namespace {
// The permission bit (of `owner`, `group`, `other`) that applies to `identity` for `st`.
bool Allowed(const struct stat& st, const SpawnRequest::Identity& identity, mode_t owner,
             mode_t group, mode_t other) {
  if (identity.uid == 0) return true;
  if (st.st_uid == identity.uid) return (st.st_mode & owner) != 0;
  if (st.st_gid == identity.gid) return (st.st_mode & group) != 0;
  return (st.st_mode & other) != 0;
}
}  // namespace

absl::Status CheckRunnableAs(const std::string& path, const SpawnRequest::Identity& identity) {
  std::string prefix;
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    prefix = path.substr(0, slash);
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0) return ErrnoStatus(errno, prefix);
    if (!Allowed(st, identity, S_IXUSR, S_IXGRP, S_IXOTH)) {
      return absl::PermissionDeniedError(absl::StrCat(
          prefix, " is not searchable by uid ", identity.uid, ", so it cannot run ", path));
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, path);
  if (!Allowed(st, identity, S_IXUSR, S_IXGRP, S_IXOTH)) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, " is not executable by uid ", identity.uid));
  }
  return absl::OkStatus();
}

std::string ExitStatus::Describe() const {
  return signaled ? SignalName(signal) : absl::StrCat("code ", code);
}

absl::StatusOr<ExitStatus> Reap(int pidfd) {
  siginfo_t info{};
  if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info,
               WEXITED | WNOHANG) != 0) {
    return ErrnoStatus(errno, "waitid");
  }
  if (info.si_pid == 0) return absl::NotFoundError("child has not exited");
  ExitStatus status;
  status.signaled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
  if (status.signaled) {
    status.signal = info.si_status;
  } else {
    status.code = info.si_status;
  }
  return status;
}

int SignalProcess(int pidfd, int signal_number) noexcept {
  if (::syscall(SYS_pidfd_send_signal, pidfd, signal_number, nullptr, 0) != 0) return -errno;
  return 0;
}

}  // namespace ringleader
