// LoadClient threads: connect, request, read, count; reconnect on close.
#include "tests/support/load_client.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"

namespace ringleader::testing {

std::string LoadResult::Describe() const {
  std::string out = absl::StrCat(requests, " requests, ", failures, " failures, ", retries,
                                 " retried after a dropped connection");
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
  request_ = absl::StrCat("GET ", options_.path, " HTTP/1.1\r\nHost: localhost\r\n",
                          options_.keep_alive ? "" : "Connection: close\r\n", "\r\n");
  for (int i = 0; i < options_.connections; ++i) threads_.emplace_back([this] { Run(); });
}

LoadResult LoadClient::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> lock(mu_);
  result_.requests = requests_.load();
  result_.retries = retries_.load();
  return result_;
}

void LoadClient::Fail(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  ++result_.failures;
  if (result_.failure_samples.size() < 8) result_.failure_samples.push_back(why);
}

void LoadClient::Run() {
  std::set<long> pids;
  std::unique_ptr<ClientConnection> conn;
  while (!stop_) RunBatch(conn, pids);
  std::lock_guard<std::mutex> lock(mu_);
  result_.worker_pids.insert(pids.begin(), pids.end());
}

void LoadClient::RunBatch(std::unique_ptr<ClientConnection>& conn, std::set<long>& pids) {
  int owed = options_.pipeline;
  bool retried = false;
  while (owed > 0) {
    std::string why;
    switch (Exchange(conn, owed, pids, why)) {
      case Outcome::kAnswered:
      case Outcome::kResend:
        break;
      case Outcome::kDropped:
        if (options_.retry_when_dropped && !retried) {
          retried = true;
          retries_.fetch_add(1);
          break;
        }
        return Fail(why);
      case Outcome::kFailed:
        return Fail(why);
    }
  }
}

LoadClient::Outcome LoadClient::Exchange(std::unique_ptr<ClientConnection>& conn, int& owed,
                                         std::set<long>& pids, std::string& why) {
  if (!conn) {
    conn = std::make_unique<ClientConnection>();
    if (absl::Status s = conn->Connect(options_.port, options_.timeout); !s.ok()) {
      conn.reset();
      why = absl::StrCat("connect: ", s.message());
      return Outcome::kFailed;
    }
  }
  if (absl::Status s = SendRequests(*conn, owed); !s.ok()) {
    conn.reset();
    why = absl::StrCat("send: ", s.message());
    return Outcome::kDropped;
  }
  while (owed > 0) {
    auto reply = conn->ReadResponse();
    if (!reply.ok()) {
      conn.reset();
      why = absl::StrCat("read: ", reply.status().ToString());
      return absl::IsUnavailable(reply.status()) ? Outcome::kDropped : Outcome::kFailed;
    }
    --owed;
    requests_.fetch_add(1);
    if (reply->status != 200) Fail(absl::StrCat("status ", reply->status, ": ", reply->body));
    pids.insert(JsonInt(reply->body, "worker"));
    if (!options_.keep_alive || reply->Header("Connection") == "close") {
      conn.reset();
      return owed > 0 ? Outcome::kResend : Outcome::kAnswered;
    }
  }
  return Outcome::kAnswered;
}

absl::Status LoadClient::SendRequests(ClientConnection& conn, int count) {
  std::string bytes;
  for (int i = 0; i < count; ++i) bytes += request_;
  if (options_.trickle <= absl::ZeroDuration()) return conn.Send(bytes);
  // A slow client: the same bytes in three parts, spread over `trickle`.
  const size_t part = bytes.size() / 3 + 1;
  for (size_t at = 0; at < bytes.size(); at += part) {
    if (at > 0) absl::SleepFor(options_.trickle / 2);
    if (absl::Status s = conn.Send(std::string_view(bytes).substr(at, part)); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ringleader::testing
