// LoadClient: a bounded load generator for reliability tests. N threads, each with its own
// connection to 127.0.0.1, send GET requests back to back (keep-alive, or a new connection per
// request; one at a time or pipelined; at once or trickled like a slow client) until Stop(), and
// count every failure: refused connects, resets, timeouts, short or non-200 answers. A response
// with "Connection: close" is not a failure: the client reconnects and sends what is unanswered.
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

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ringleader::testing {

class ClientConnection;

struct LoadOptions {
  int port = 0;
  int connections = 32;
  bool keep_alive = true;
  std::string path = "/";
  absl::Duration timeout = absl::Seconds(10);  // per request
  int pipeline = 1;                             // requests sent in one write, answered in order
  absl::Duration trickle = absl::ZeroDuration();  // send each request in 3 parts over this long
  // A request whose connection is closed or reset before any byte of its answer (its worker
  // was killed) is sent once more on a new connection, as RFC 9110 §9.2.2 lets a client do for
  // idempotent requests. Counted in LoadResult::retries; a second loss is a failure.
  bool retry_when_dropped = false;
};

struct LoadResult {
  long requests = 0;
  long failures = 0;
  long retries = 0;
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
  // How one exchange of a batch ended.
  enum class Outcome {
    kAnswered,  // every request of the batch was answered
    kResend,    // the server closed after an answer ("Connection: close"): send the rest anew
    kDropped,   // the connection went away before an answer: retryable
    kFailed,    // anything else: a failure
  };

  void Run();
  void RunBatch(std::unique_ptr<ClientConnection>& conn, std::set<long>& pids);
  Outcome Exchange(std::unique_ptr<ClientConnection>& conn, int& owed, std::set<long>& pids,
                   std::string& why);
  absl::Status SendRequests(ClientConnection& conn, int count);
  void Fail(const std::string& why);

  LoadOptions options_;
  std::string request_;
  std::atomic<bool> stop_{false};
  std::atomic<long> requests_{0};
  std::atomic<long> retries_{0};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  LoadResult result_;
};

}  // namespace ringleader::testing
