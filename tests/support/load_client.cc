// LoadClient threads: connect, request, read, count; reconnect on close.
#include "tests/support/load_client.h"

#include "absl/strings/str_cat.h"
#include "tests/support/http_client.h"

namespace ringleader::testing {

std::string LoadResult::Describe() const {
  std::string out = absl::StrCat(requests, " requests, ", failures, " failures");
  for (const auto& s : failure_samples) absl::StrAppend(&out, "\n  ", s);
  return out;
}

LoadClient::~LoadClient() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void LoadClient::Start() {
  for (int i = 0; i < options_.connections; ++i) threads_.emplace_back([this] { Run(); });
}

LoadResult LoadClient::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  result_.requests = requests_.load();
  return result_;
}

void LoadClient::Fail(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  ++result_.failures;
  if (result_.failure_samples.size() < 8) result_.failure_samples.push_back(why);
}

void LoadClient::Run() {
  const std::string request =
      absl::StrCat("GET ", options_.path, " HTTP/1.1\r\nHost: localhost\r\n",
                   options_.keep_alive ? "" : "Connection: close\r\n", "\r\n");
  std::set<long> pids;
  std::unique_ptr<ClientConnection> conn;
  while (!stop_) {
    if (!conn) {
      conn = std::make_unique<ClientConnection>();
      if (absl::Status s = conn->Connect(options_.port, options_.timeout); !s.ok()) {
        Fail(absl::StrCat("connect: ", s.message()));
        conn.reset();
        continue;
      }
    }
    if (absl::Status s = conn->Send(request); !s.ok()) {
      Fail(absl::StrCat("send: ", s.message()));
      conn.reset();
      continue;
    }
    auto reply = conn->ReadResponse();
    if (!reply.ok()) {
      Fail(absl::StrCat("read: ", reply.status().message()));
      conn.reset();
      continue;
    }
    requests_.fetch_add(1);
    if (reply->status != 200) Fail(absl::StrCat("status ", reply->status, ": ", reply->body));
    pids.insert(JsonInt(reply->body, "worker"));
    if (!options_.keep_alive || reply->Header("Connection") == "close") conn.reset();
  }
  std::lock_guard<std::mutex> lock(mu_);
  result_.worker_pids.insert(pids.begin(), pids.end());
}

}  // namespace ringleader::testing
