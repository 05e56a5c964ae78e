// Test helper: runs a command-line tool (ringleader-trace, xmllint) as a child process with its
// stdout and stderr captured, its stdin from a file or a pipe the test writes to, and every wait
// bounded; the child is killed and reaped if the test ends first.
//
//   ToolResult r = RunTool(TraceToolPath(), {"--check", TracePath("watchdog.trace")});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//
//   auto follower = ToolProcess::Start(TraceToolPath(), {"-"}, ToolProcess::kStdinPipe);
//   follower->WriteStdin(lines);  ...  follower->CloseStdin();  follower->Wait(absl::Seconds(5));
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringleader::trace_tool {

struct ToolResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// $RINGLEADER_BIN_DIR/ringleader-trace, and a committed trace under $RINGLEADER_SOURCE_DIR.
std::string TraceToolPath();
std::string TracePath(const std::string& name);  // tests/traces/<name>
std::string ReadFileOrEmpty(const std::string& path);

class ToolProcess {
 public:
  enum StdinMode { kStdinNull, kStdinPipe };
  // `stdin_file`, when not empty, is opened as stdin (mode is then ignored).
  static absl::StatusOr<std::unique_ptr<ToolProcess>> Start(const std::string& path,
                                                            const std::vector<std::string>& args,
                                                            StdinMode mode = kStdinNull,
                                                            const std::string& stdin_file = "");
  ~ToolProcess();
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  bool WriteStdin(const std::string& data);
  void CloseStdin();
  std::string Stdout() const { return ReadFileOrEmpty(out_path_); }
  std::string Stderr() const { return ReadFileOrEmpty(err_path_); }
  // Waits for the exit; on timeout kills the child. The result holds what it wrote.
  ToolResult Wait(absl::Duration timeout);

 private:
  ToolProcess() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string out_path_;
  std::string err_path_;
};

ToolResult RunTool(const std::string& path, const std::vector<std::string>& args,
                   const std::string& stdin_file = "", absl::Duration timeout = absl::Seconds(20));

}  // namespace ringleader::trace_tool
