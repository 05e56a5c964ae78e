// seccomp_profile_exec PROFILE.json PROGRAM [ARGS...]: runs PROGRAM under a container seccomp
// profile (Docker's JSON format, as Docker, containerd and the kubelet's Localhost profiles read
// it), loaded the way a container runtime loads it: with libseccomp, after no_new_privs, right
// before exec. Tests use it to show that tools/deploy/seccomp-io_uring.json lets ringleader start,
// serve, roll and stop.
//
// Only the profile's own shape is accepted: defaultAction SCMP_ACT_ERRNO (with defaultErrnoRet)
// and entries that allow whole system calls by name. Anything else (argument filters, other
// actions, a name libseccomp does not know) is refused with exit 2, so the test cannot pass on a
// profile that a runtime would read differently.
#include <seccomp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "simdjson.h"

namespace {

int Refuse(std::string_view why, std::string_view detail = {}) {
  std::fprintf(stderr, "seccomp_profile_exec: %.*s%.*s\n", static_cast<int>(why.size()),
               why.data(), static_cast<int>(detail.size()), detail.data());
  return 2;
}

// Builds the filter from the profile; returns 0 once it is loaded, else an exit code.
int LoadProfile(const char* path) {
  simdjson::dom::parser parser;
  simdjson::dom::element profile;
  if (parser.load(path).get(profile) != simdjson::SUCCESS) return Refuse("cannot parse ", path);

  std::string_view default_action;
  int64_t default_errno = 0;
  if (profile["defaultAction"].get(default_action) != simdjson::SUCCESS ||
      default_action != "SCMP_ACT_ERRNO") {
    return Refuse("defaultAction must be SCMP_ACT_ERRNO");
  }
  if (profile["defaultErrnoRet"].get(default_errno) != simdjson::SUCCESS || default_errno <= 0 ||
      default_errno > 4095) {
    return Refuse("defaultErrnoRet must be an errno number");
  }
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_ERRNO(static_cast<uint32_t>(default_errno)));
  if (filter == nullptr) return Refuse("seccomp_init failed");

  simdjson::dom::array entries;
  if (profile["syscalls"].get(entries) != simdjson::SUCCESS) return Refuse("no syscalls array");
  for (simdjson::dom::element entry : entries) {
    std::string_view action;
    simdjson::dom::array names;
    if (entry["action"].get(action) != simdjson::SUCCESS || action != "SCMP_ACT_ALLOW") {
      return Refuse("every syscalls entry must be SCMP_ACT_ALLOW");
    }
    if (entry["args"].error() != simdjson::NO_SUCH_FIELD ||
        entry["includes"].error() != simdjson::NO_SUCH_FIELD ||
        entry["excludes"].error() != simdjson::NO_SUCH_FIELD) {
      return Refuse("args, includes and excludes are not supported here");
    }
    if (entry["names"].get(names) != simdjson::SUCCESS) return Refuse("an entry without names");
    for (simdjson::dom::element element : names) {
      std::string_view name_view;
      if (element.get(name_view) != simdjson::SUCCESS) return Refuse("a name is not a string");
      const std::string name(name_view);
      const int number = seccomp_syscall_resolve_name(name.c_str());
      if (number == __NR_SCMP_ERROR) return Refuse("unknown system call ", name);
      // A name that exists only on another architecture resolves to a negative pseudo-number
      // here, and libseccomp leaves it out of this architecture's filter, as runtimes do.
      const int rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, number, 0);
      if (rc != 0 && rc != -EDOM) return Refuse("cannot allow ", name);
    }
  }
  // no_new_privs (set by seccomp_load by default) then the filter, as runc does before exec.
  const int rc = seccomp_load(filter);
  seccomp_release(filter);
  if (rc != 0) return Refuse("seccomp_load failed");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Refuse("usage: seccomp_profile_exec PROFILE.json PROGRAM [ARGS...]");
  if (const int rc = LoadProfile(argv[1]); rc != 0) return rc;
  ::execv(argv[2], argv + 2);
  std::perror("seccomp_profile_exec: exec");
  return 127;
}
