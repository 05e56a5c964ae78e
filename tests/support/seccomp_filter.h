// FailSyscall: makes one system call fail with a chosen errno for the rest of this process (and
// its children), through a seccomp filter. Tests use it to show how ringleader behaves when the
// kernel refuses: io_uring_setup under a container's default profile, io_uring_enter that takes
// nothing.
//
//   if (FailSyscall(__NR_io_uring_enter, EAGAIN) != 0) _exit(2);
#pragma once

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include <cstddef>

namespace ringleader {

#if defined(__x86_64__)
inline constexpr unsigned kSeccompArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
inline constexpr unsigned kSeccompArch = AUDIT_ARCH_AARCH64;
#else
#error "seccomp_filter: unknown architecture"
#endif

// Returns 0, or -1 with errno set when the filter could not be installed.
inline int FailSyscall(unsigned syscall_number, unsigned error_number) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kSeccompArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, syscall_number, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (error_number & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}

}  // namespace ringleader
