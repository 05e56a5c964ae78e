// LoadClient: a bounded load generator for reliability tests. N threads, each with its own
// connection to 127.0.0.1, send GET requests back to back (keep-alive, or a new connection per
// request) until Stop(), and count every failure: refused connects, resets, timeouts, short or
// non-200 answers. A response with "Connection: close" is not a failure: the client reconnects.
//
//   LoadClient load({.port = port, .connections = 32});
//   load.Start();  ... restart things ...
//   LoadResult r = load.Stop();
//   EXPECT_EQ(r.failures, 0) << r.Describe();
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"

namespace ringleader::testing {

struct LoadOptions {
  int port = 0;
  int connections = 32;
  bool keep_alive = true;
  std::string path = "/";
  absl::Duration timeout = absl::Seconds(10);  // per request
};

struct LoadResult {
  long requests = 0;
  long failures = 0;
  std::set<long> worker_pids;             // from {"worker":PID} bodies
  std::vector<std::string> failure_samples;  // the first few, for the assertion message
  std::string Describe() const;
};

class LoadClient {
 public:
  explicit LoadClient(LoadOptions options) : options_(std::move(options)) {}
  ~LoadClient();
  void Start();
  LoadResult Stop();
  long requests_so_far() const { return requests_.load(); }

 private:
  void Run();
  void Fail(const std::string& why);

  LoadOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<long> requests_{0};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  LoadResult result_;
};

}  // namespace ringleader::testing
