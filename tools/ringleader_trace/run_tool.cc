// Child processes for the ringleader-trace tests: fork/exec with redirected stdio, bounded waits.
#include "tools/ringleader_trace/run_tool.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ringleader::trace_tool {

std::string TraceToolPath() {
  const char* dir = std::getenv("RINGLEADER_BIN_DIR");
  return absl::StrCat(dir != nullptr ? dir : ".", "/ringleader-trace");
}

std::string TracePath(const std::string& name) {
  const char* dir = std::getenv("RINGLEADER_SOURCE_DIR");
  return absl::StrCat(dir != nullptr ? dir : ".", "/tests/traces/", name);
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace {

std::string TempPath(const char* what) {
  std::string path = absl::StrCat("/tmp/ringleader-trace-test-", what, "-XXXXXX");
  const int fd = ::mkstemp(path.data());
  if (fd >= 0) ::close(fd);
  return path;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ToolProcess>> ToolProcess::Start(
    const std::string& path, const std::vector<std::string>& args, StdinMode mode,
    const std::string& stdin_file) {
  std::unique_ptr<ToolProcess> p(new ToolProcess());
  p->out_path_ = TempPath("out");
  p->err_path_ = TempPath("err");
  int pipe_fds[2] = {-1, -1};
  if (stdin_file.empty() && mode == kStdinPipe && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::ErrnoToStatus(errno, "pipe2");
  }
  std::vector<std::string> argv_strings{path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Everything the child needs is prepared before fork: it only opens, dups and execs.
  const std::string in_path = stdin_file.empty() ? "/dev/null" : stdin_file;
  const pid_t pid = ::fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    const int in = pipe_fds[0] >= 0 ? pipe_fds[0] : ::open(in_path.c_str(), O_RDONLY);
    const int out = ::open(p->out_path_.c_str(), O_WRONLY | O_TRUNC);
    const int err = ::open(p->err_path_.c_str(), O_WRONLY | O_TRUNC);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
        ::dup2(err, 2) < 0) {
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  p->pid_ = pid;
  if (pipe_fds[0] >= 0) {
    ::close(pipe_fds[0]);
    p->stdin_fd_ = pipe_fds[1];
  }
  return p;
}

ToolProcess::~ToolProcess() {
  CloseStdin();
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::unlink(out_path_.c_str());
  ::unlink(err_path_.c_str());
}

bool ToolProcess::WriteStdin(const std::string& data) {
  size_t done = 0;
  while (stdin_fd_ >= 0 && done < data.size()) {
    const ssize_t n = ::write(stdin_fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return stdin_fd_ >= 0;
}

void ToolProcess::CloseStdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

ToolResult ToolProcess::Wait(absl::Duration timeout) {
  ToolResult r;
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (pid_ > 0) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
    if (absl::Now() >= deadline) {
      r.timed_out = true;
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
      break;
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  r.out = Stdout();
  r.err = Stderr();
  return r;
}

ToolResult RunTool(const std::string& path, const std::vector<std::string>& args,
                   const std::string& stdin_file, absl::Duration timeout) {
  auto process = ToolProcess::Start(path, args, ToolProcess::kStdinNull, stdin_file);
  if (!process.ok()) return ToolResult{.err = std::string(process.status().message())};
  return (*process)->Wait(timeout);
}

}  // namespace ringleader::trace_tool
