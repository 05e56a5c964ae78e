// TestProcess: starts a real binary for an integration test, captures its stderr to a file,
// signals it, waits for it with a bound, and — whatever happens — kills it and every process
// it started when the test ends, so no test leaves an orphan behind.
//
//   auto server = TestProcess::Start(BinaryPath("ringleader"), {"--workers=2", "--port=0"});
//   ASSERT_TRUE(server.ok()) << server.status();
//   auto port = server->WaitForPort(absl::Seconds(10));
//   server->Signal(SIGTERM);
//   std::optional<int> status = server->WaitExit(absl::Seconds(5));   // wait(2) status
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringleader::testing {

// $RINGLEADER_BIN_DIR/name (set by CTest for every test).
std::string BinaryPath(const std::string& name);

// Copies `binary` into `dir`, made searchable by anyone (0755), and returns the copy's path: for
// tests whose workers drop to another user (--user), which cannot reach a checkout inside a
// private directory such as one from `mktemp -d`.
std::string CopyWhereAnyoneCanRun(const std::string& binary, const std::string& dir);

class TestProcess {
 public:
  static absl::StatusOr<TestProcess> Start(const std::string& path,
                                           const std::vector<std::string>& args,
                                           const std::vector<std::string>& env = {});
  TestProcess(TestProcess&& other) noexcept;
  TestProcess& operator=(TestProcess&&) = delete;
  ~TestProcess();

  pid_t pid() const { return pid_; }
  void Signal(int signal_number) const;
  // The raw wait status once the process exited within `timeout`, else nullopt.
  std::optional<int> WaitExit(absl::Duration timeout);
  // Everything the process wrote to stderr so far.
  std::string Stderr() const;
  // Waits until stderr contains `needle` (count times). False on timeout.
  bool WaitForLog(const std::string& needle, absl::Duration timeout, int count = 1) const;
  // Parses the port from the primary's "is running: N workers on HOST:PORT" line.
  absl::StatusOr<int> WaitForPort(absl::Duration timeout) const;
  // Direct children still alive (the workers, for a primary).
  std::vector<pid_t> Children() const;

 private:
  TestProcess(pid_t pid, std::string stderr_path) : pid_(pid), stderr_path_(std::move(stderr_path)) {}
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string stderr_path_;
  std::vector<pid_t> descendants_seen_;
};

// Children of `pid` according to /proc (any state but zombie).
std::vector<pid_t> ChildrenOf(pid_t pid);
// True while `pid` exists and is not a zombie.
bool ProcessAlive(pid_t pid);
// Resident set size of `pid` in KiB (VmRSS), or -1 when it cannot be read.
long ResidentKiB(pid_t pid);
// Polls `predicate` every 10 ms until true or `timeout`.
bool Eventually(absl::Duration timeout, const std::function<bool()>& predicate);

}  // namespace ringleader::testing
