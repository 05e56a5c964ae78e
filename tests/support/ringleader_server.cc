// Starting ringleader for a test and waiting until it serves.
#include "tests/support/ringleader_server.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"

namespace ringleader::testing {

absl::StatusOr<RingleaderServer> RingleaderServer::Start(std::vector<std::string> args,
                                                         absl::Duration timeout,
                                                         const std::vector<std::string>& env) {
  int workers = 0;
  for (size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    if (absl::StartsWith(args[i], "--workers=") && !absl::SimpleAtoi(args[i].substr(10), &workers)) {
      workers = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    }
    // `ringleader exec -i N`
    if (args[i] == "-i" && i + 1 < args.size()) (void)absl::SimpleAtoi(args[i + 1], &workers);
  }
  if (workers == 0) workers = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  RingleaderServer server;
  char tmpl[] = "/tmp/ringleader-test-trace-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  if (fd >= 0) ::close(fd);
  server.trace_path_ = tmpl;
  // Ours go before a "--": what follows it is `ringleader exec`'s program and its arguments.
  const auto program = std::find(args.begin(), args.end(), "--");
  std::vector<std::string> ours = {"--host=127.0.0.1", "--trace=" + server.trace_path_};
  // Any free port, unless the test asked for one (a privileged port, say).
  if (std::none_of(args.begin(), program, [](const std::string& a) {
        return absl::StartsWith(a, "--port=");
      })) {
    ours.push_back("--port=0");
  }
  args.insert(program, ours.begin(), ours.end());
  auto process = TestProcess::Start(BinaryPath("ringleader"), args, env);
  if (!process.ok()) return process.status();
  server.process_ = std::make_unique<TestProcess>(*std::move(process));
  auto port = server.process_->WaitForPort(timeout);
  if (!port.ok()) return port.status();
  server.port_ = *port;
  if (!server.process_->WaitForLog("is listening", timeout, workers)) {
    return absl::DeadlineExceededError("workers did not start:\n" + server.process_->Stderr());
  }
  return server;
}

RingleaderServer::~RingleaderServer() {
  if (!trace_path_.empty() && std::getenv("RINGLEADER_KEEP_TRACES") == nullptr) {
    ::unlink(trace_path_.c_str());
  }
}

std::vector<long> RingleaderServer::DistinctWorkerPids(int connections) const {
  std::vector<long> pids;
  for (int i = 0; i < connections; ++i) {
    auto reply = HttpGet(port_, "/");
    if (!reply.ok() || reply->status != 200) continue;
    const long pid = JsonInt(reply->body, "worker");
    if (std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::map<long, std::string> FromEachWorker(int port, const std::string& path, size_t workers,
                                           const std::string& pid_key) {
  std::map<long, std::string> bodies;
  for (int i = 0; i < 40 && bodies.size() < workers; ++i) {
    auto r = HttpGet(port, path);
    if (r.ok() && r->status == 200) bodies[JsonInt(r->body, pid_key)] = r->body;
  }
  return bodies;
}

}  // namespace ringleader::testing
