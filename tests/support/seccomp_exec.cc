// seccomp_exec ERRNO PROGRAM [ARGS...]: runs PROGRAM with io_uring_setup(2) made to fail with
// ERRNO (EPERM or ENOSYS) by a seccomp filter — how a container's default profile looks to us.
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tests/support/seccomp_filter.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: seccomp_exec EPERM|ENOSYS PROGRAM [ARGS...]\n");
    return 2;
  }
  const unsigned error_number = std::strcmp(argv[1], "ENOSYS") == 0 ? ENOSYS : EPERM;
  if (ringleader::FailSyscall(__NR_io_uring_setup, error_number) != 0) {
    std::perror("seccomp_exec: installing the filter");
    return 2;
  }
  ::execv(argv[2], argv + 2);
  std::perror("seccomp_exec: exec");
  return 127;
}
