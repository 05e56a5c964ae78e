// TestProcess: fork/exec with stderr to a temp file, bounded waits, and orphan-proof cleanup.
#include "tests/support/test_process.h"

#include <sys/stat.h>

#include <filesystem>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ringleader::testing {

std::string BinaryPath(const std::string& name) {
  const char* dir = std::getenv("RINGLEADER_BIN_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/" + name;
}

std::string CopyWhereAnyoneCanRun(const std::string& binary, const std::string& dir) {
  ::chmod(dir.c_str(), 0755);
  const std::string copy = dir + "/" + std::filesystem::path(binary).filename().string();
  std::filesystem::copy_file(binary, copy, std::filesystem::copy_options::overwrite_existing);
  ::chmod(copy.c_str(), 0755);
  return copy;
}

bool Eventually(absl::Duration timeout, const std::function<bool()>& predicate) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

namespace {

// Field 3 (state) and 4 (ppid) of /proc/PID/stat; the name in parentheses may hold spaces.
bool ReadStat(pid_t pid, char& state, pid_t& ppid) {
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(f, line)) return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  rest >> state >> ppid;
  return static_cast<bool>(rest);
}

}  // namespace

bool ProcessAlive(pid_t pid) {
  char state = 0;
  pid_t ppid = 0;
  return ReadStat(pid, state, ppid) && state != 'Z' && state != 'X';
}

long ResidentKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::vector<pid_t> ChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return out;
  while (dirent* e = ::readdir(dir)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    char state = 0;
    pid_t ppid = 0;
    if (ReadStat(pid, state, ppid) && ppid == parent && state != 'Z') out.push_back(pid);
  }
  ::closedir(dir);
  return out;
}

absl::StatusOr<TestProcess> TestProcess::Start(const std::string& path,
                                               const std::vector<std::string>& args,
                                               const std::vector<std::string>& env) {
  char tmpl[] = "/tmp/ringleader-test-stderr-XXXXXX";
  const int err_fd = ::mkstemp(tmpl);
  if (err_fd < 0) return absl::InternalError("mkstemp failed");
  std::vector<std::string> argv_strings{path};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    ::dup2(err_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
    for (auto& e : env_strings) ::putenv(e.data());
    ::execv(path.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(err_fd);
  return TestProcess(pid, tmpl);
}

TestProcess::TestProcess(TestProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      reaped_(other.reaped_),
      stderr_path_(std::move(other.stderr_path_)),
      descendants_seen_(std::move(other.descendants_seen_)) {}

TestProcess::~TestProcess() {
  if (pid_ < 0) return;
  // Kill the whole tree we know of: children first (they may outlive a killed primary).
  std::vector<pid_t> victims = ChildrenOf(pid_);
  victims.insert(victims.end(), descendants_seen_.begin(), descendants_seen_.end());
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (pid_t v : victims) ::kill(v, SIGKILL);
  ::unlink(stderr_path_.c_str());
}

void TestProcess::Signal(int signal_number) const {
  if (!reaped_) ::kill(pid_, signal_number);
}

std::optional<int> TestProcess::WaitExit(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    for (pid_t c : ChildrenOf(pid_)) {
      if (std::find(descendants_seen_.begin(), descendants_seen_.end(), c) == descendants_seen_.end()) {
        descendants_seen_.push_back(c);
      }
    }
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return status;
    }
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

std::string TestProcess::Stderr() const {
  std::ifstream f(stderr_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool TestProcess::WaitForLog(const std::string& needle, absl::Duration timeout, int count) const {
  return Eventually(timeout, [&] {
    const std::string text = Stderr();
    int found = 0;
    for (size_t pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + 1)) {
      ++found;
    }
    return found >= count;
  });
}

absl::StatusOr<int> TestProcess::WaitForPort(absl::Duration timeout) const {
  int port = -1;
  Eventually(timeout, [&] {
    const std::string text = Stderr();
    const auto at = text.find(" workers on ");
    if (at == std::string::npos) return false;
    const auto colon = text.find(':', at + 12);
    const auto eol = text.find('\n', at);
    if (colon == std::string::npos || eol == std::string::npos) return false;
    return absl::SimpleAtoi(text.substr(colon + 1, eol - colon - 1), &port);
  });
  if (port <= 0) return absl::DeadlineExceededError("no port in stderr:\n" + Stderr());
  return port;
}

std::vector<pid_t> TestProcess::Children() const { return ChildrenOf(pid_); }

}  // namespace ringleader::testing
