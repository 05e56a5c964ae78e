// The io_uring availability probe and the sentences it prints.
#include "core/probe.h"

#include <liburing.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"

namespace ringleader {
namespace {

int ReadIoUringDisabledSysctl() {
  std::ifstream file("/proc/sys/kernel/io_uring_disabled");
  int value = -1;
  if (file >> value) return value;
  return -1;
}

struct ProbeDeleter {
  void operator()(io_uring_probe* probe) const { io_uring_free_probe(probe); }
};

}  // namespace

absl::Status ExplainSetupFailure(int error_number, int io_uring_disabled) {
  switch (error_number) {
    case ENOSYS:
      return absl::FailedPreconditionError(
          "io_uring is not available: this kernel does not implement it; run ringleader on "
          "Linux 6.0 or newer built with CONFIG_IO_URING=y.");
    case EPERM:
    case EACCES:
      if (io_uring_disabled == 2) {
        return absl::FailedPreconditionError(
            "io_uring is disabled on this machine by the sysctl kernel.io_uring_disabled=2; "
            "allow it with `sysctl -w kernel.io_uring_disabled=0`.");
      }
      if (io_uring_disabled == 1) {
        return absl::FailedPreconditionError(
            "io_uring is restricted by kernel.io_uring_disabled=1 to the group in "
            "kernel.io_uring_group; run ringleader as a member of that group or set the sysctl "
            "to 0.");
      }
      return absl::FailedPreconditionError(
          "io_uring is blocked by a seccomp or security policy (container runtimes' default "
          "profiles do this); run ringleader with a profile that allows io_uring_setup, "
          "io_uring_enter and io_uring_register, such as ringleader's "
          "tools/deploy/seccomp-io_uring.json (`docker run --security-opt "
          "seccomp=seccomp-io_uring.json`, or a Localhost seccompProfile in Kubernetes).");
    case ENOMEM:
      return absl::FailedPreconditionError(
          "io_uring could not lock memory for its rings; raise the memlock limit "
          "(`ulimit -l`) or run on Linux 5.12+ where rings are memory-cgroup accounted.");
    default:
      return absl::FailedPreconditionError(absl::StrCat(
          "io_uring could not be set up (", std::strerror(error_number),
          "); ringleader needs a working io_uring on Linux 6.0 or newer."));
  }
}

absl::Status ProbeIoUring() {
  io_uring ring{};
  const int res = io_uring_queue_init(4, &ring, 0);
  if (res < 0) return ExplainSetupFailure(-res, ReadIoUringDisabledSysctl());

  std::unique_ptr<io_uring_probe, ProbeDeleter> probe(io_uring_get_probe_ring(&ring));
  io_uring_queue_exit(&ring);
  // SEND_ZC arrived in 6.0, together with multishot receive; older kernels lack ops we need.
  if (probe == nullptr || !io_uring_opcode_supported(probe.get(), IORING_OP_SEND_ZC)) {
    return absl::FailedPreconditionError(
        "this kernel's io_uring is too old: ringleader needs Linux 6.0 or newer for multishot "
        "accept and receive with provided buffers.");
  }
  return absl::OkStatus();
}

}  // namespace ringleader
