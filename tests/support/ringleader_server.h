// RingleaderServer: the `ringleader` binary started for one integration test, on a port the
// kernel picks (--port=0), with its trace in a temp file, waited on until every worker listens.
//
//   auto server = RingleaderServer::Start({"--workers=2"});
//   ASSERT_TRUE(server.ok()) << server.status();
//   auto reply = HttpGet(server->port(), "/");
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/test_process.h"
#include "tests/support/trace_file.h"

namespace ringleader::testing {

// The environment for a server whose memory a test measures. ASan holds freed memory in a
// quarantine (256 MiB by default) that would count as the worker's own; a small one lets RSS
// show what ringleader itself holds.
inline const std::vector<std::string> kMeasuredMemoryEnv = {"ASAN_OPTIONS=quarantine_size_mb=8"};

class RingleaderServer {
 public:
  // Starts ringleader with `args` plus --host=127.0.0.1 --trace=<tmp> and, unless `args` name a
  // port, --port=0 (ahead of a "--", which begins `ringleader exec`'s program), and waits until
  // `workers` workers are listening (default: parsed from --workers=N or -i N in args).
  static absl::StatusOr<RingleaderServer> Start(std::vector<std::string> args,
                                                absl::Duration timeout = absl::Seconds(15),
                                                const std::vector<std::string>& env = {});
  RingleaderServer(RingleaderServer&&) = default;
  ~RingleaderServer();

  int port() const { return port_; }
  TestProcess& process() { return *process_; }
  const std::string& trace_path() const { return trace_path_; }
  TraceFile Trace() const { return ReadTraceFile(trace_path_); }
  // PIDs of the workers that have answered GET / over `connections` fresh connections.
  std::vector<long> DistinctWorkerPids(int connections) const;

 private:
  RingleaderServer() = default;
  std::unique_ptr<TestProcess> process_;
  std::string trace_path_;
  int port_ = 0;
};

// GET `path` over fresh connections until `workers` distinct workers answered 200 (or 40
// tries); the worker's pid (the integer at `pid_key` in the body) → body.
std::map<long, std::string> FromEachWorker(int port, const std::string& path, size_t workers,
                                           const std::string& pid_key = "worker");

}  // namespace ringleader::testing
