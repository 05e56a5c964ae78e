// Test support: a fake control server — a Unix stream socket served by threads, answering each
// connection's request line with what a handler returns. Lets the ringleader-ctl tests (and a
// person trying monit) run the client without a cluster.
//
//   auto server = FakeControlServer::Start(path, [](std::string_view request) {
//     return FakeReply{.reply = std::string(kSampleStatus) + "\n"};  // test_replies.h
//   });
//   ... run ringleader-ctl --control=path status ...
//   EXPECT_EQ((*server)->Requests(), std::vector<std::string>{"{\"cmd\":\"status\"}"});
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ringleader::ctl {

struct FakeReply {
  std::string reply;                // written at once (lines with their newlines); empty: none
  std::vector<std::string> stream;  // then these lines, one per `interval`
  absl::Duration interval = absl::Milliseconds(100);
  bool hold_open = false;  // then wait for the client to close (a trace stream)
};

class FakeControlServer {
 public:
  // The request line without its newline ("" when the client sent none before closing).
  using Handler = std::function<FakeReply(std::string_view request)>;

  static absl::StatusOr<std::unique_ptr<FakeControlServer>> Start(std::string path,
                                                                  Handler handler);
  ~FakeControlServer();  // stops every thread, closes and unlinks the socket
  FakeControlServer(const FakeControlServer&) = delete;
  FakeControlServer& operator=(const FakeControlServer&) = delete;

  std::vector<std::string> Requests() const;

 private:
  FakeControlServer(std::string path, int fd, Handler handler)
      : path_(std::move(path)), fd_(fd), handler_(std::move(handler)) {}
  void AcceptLoop();
  void Serve(int fd);

  std::string path_;
  int fd_;
  Handler handler_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;  // guarded by mu_
  std::vector<std::thread> threads_;   // connection threads; touched by the accept thread only
  std::thread accept_thread_;
};

}  // namespace ringleader::ctl
