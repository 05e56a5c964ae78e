// Process mechanism for a supervisor: spawn a child with chosen descriptors, watch it through a
// pidfd, reap it, signal it. No policy lives here (what to spawn, when, why: that is fsm/ and
// the primary).
//
//   SpawnRequest req{.executable = "/proc/self/exe", .argv = argv,
//                    .env = {"ROLE=worker"}, .inherit_fds = {listener.get(), channel.get()}};
//   RL_ASSIGN_OR_RETURN(Child child, Spawn(req));
//   poll_op.Arm(ring, child.pidfd.get(), POLLIN);   // readable once the child has exited
//   ... RL_ASSIGN_OR_RETURN(ExitStatus st, Reap(child.pidfd.get()));
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/unique_fd.h"

namespace ringleader {

struct SpawnRequest {
  std::string executable;
  std::vector<std::string> argv;
  // "KEY=VALUE" entries added to (or overriding) the parent's environment.
  std::vector<std::string> env;
  // Descriptors the child keeps, at the same numbers; every other one is close-on-exec.
  std::vector<int> inherit_fds;
  // Descriptors placed at chosen numbers in the child (a listening socket at 3 and pipes at 1
  // and 2 for a program that follows the systemd socket-activation protocol); they stay open
  // across exec. Sources may be any descriptors, targets may overlap sources.
  struct FdAt {
    int fd;
    int at;
  };
  std::vector<FdAt> fds_at;
  // When set ("LISTEN_PID"), the child adds NAME=<its own pid> to its environment: the one value
  // only the child knows, formatted after fork without allocating.
  std::string own_pid_variable;
  // Delivered to the child when the parent dies (PR_SET_PDEATHSIG); 0 for none.
  int parent_death_signal = 0;
  // When set, the child gives up root before exec (nginx's `user`): it takes these ids (real,
  // effective and saved, so it can never switch back), no supplementary groups, and
  // no_new_privs (no set-user-ID program can give root back). If any step fails it exits with
  // kExitFatal rather than run with more rights than asked.
  struct Identity {
    uid_t uid;
    gid_t gid;
  };
  std::optional<Identity> run_as;
};

struct Child {
  pid_t pid = -1;
  UniqueFd pidfd;
};

// fork + exec. The child starts with an empty signal mask and default dispositions, and exits
// 127 before exec if the parent is already gone (the PDEATHSIG race).
absl::StatusOr<Child> Spawn(const SpawnRequest& request);

struct ExitStatus {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // terminating signal when signaled

  // "code 0" or "SIGKILL", as the primary's log and the trace print it.
  std::string Describe() const;
};

// Whether a child started with `identity` (SpawnRequest::run_as: those ids, no other groups) can
// execute `path`: every directory on the way searchable, the file executable, by its owner,
// group or other bits. PermissionDenied names the first place that stops it, so a --user that
// cannot run the worker binary fails at start instead of as a crash loop of exec failures.
absl::Status CheckRunnableAs(const std::string& path, const SpawnRequest::Identity& identity);

// Reaps the exited child behind `pidfd` (waitid P_PIDFD, WNOHANG). NotFound if it has not
// exited yet.
absl::StatusOr<ExitStatus> Reap(int pidfd);

// Sends `signal_number` through the pidfd: never hits a recycled pid. Negative errno on failure.
int SignalProcess(int pidfd, int signal_number) noexcept;

}  // namespace ringleader
