// Integration: a worker's memory stays inside its stated budget (README, "Limits") with 1,000
// connections at once, each sending the largest request the limits allow, and again with
// 1,000 connections each trying to send far more header bytes than allowed.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/http_client.h"
#include "tests/support/ringleader_server.h"
#include "tests/support/test_process.h"

namespace ringleader::testing {
namespace {

constexpr int kConnections = 1000;
// The budget the README states for 1,000 such connections, above the worker's idle size, in the
// sanitizer build tests run in (ASan's shadow included, its quarantine kept small); the release
// build measures well under it.
constexpr long kBudgetKiB = 64 * 1024;

// 100 headers in all and just under 16 KiB of header bytes, most of it whitespace.
std::string LargestAllowedRequest(int i) {
  std::string r = absl::StrCat("GET /health?c=", i, " HTTP/1.1\r\nHost: t\r\n");
  for (int h = 0; h < 98; ++h) absl::StrAppend(&r, "X-", h, ": v\r\n");
  const size_t pad = 16 * 1024 - 512 - r.size();
  absl::StrAppend(&r, "X-Pad:", std::string(pad, ' '), "v\r\n\r\n");
  return r;
}

// Sends `bytes` on every connection without blocking on any one of them, until each has sent
// it all or failed (the worker may close on us), or the time runs out.
void SendToAll(std::vector<ClientConnection>& conns, const std::string& bytes) {
  std::vector<size_t> sent(conns.size(), 0);
  const absl::Time until = absl::Now() + absl::Seconds(20);
  bool pending = true;
  while (pending && absl::Now() < until) {
    pending = false;
    for (size_t i = 0; i < conns.size(); ++i) {
      if (sent[i] >= bytes.size()) continue;
      const ssize_t n = ::send(conns[i].fd(), bytes.data() + sent[i], bytes.size() - sent[i],
                               MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) sent[i] += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) sent[i] = bytes.size();  // closed on us
      pending = pending || sent[i] < bytes.size();
    }
  }
}

class WorkerMemoryBudget : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = RingleaderServer::Start({"--workers=1", "--header_timeout=30s"}, absl::Seconds(15),
                                     kMeasuredMemoryEnv);
    ASSERT_TRUE(s.ok()) << s.status();
    server_.emplace(*std::move(s));
    worker_ = server_->process().Children().at(0);
    ASSERT_TRUE(HttpGet(server_->port(), "/health").ok());
    idle_kib_ = ResidentKiB(worker_);
    conns_.resize(kConnections);
    for (auto& c : conns_) ASSERT_TRUE(c.Connect(server_->port()).ok());
  }

  long GrowthKiB(const char* phase) const {
    const long now = ResidentKiB(worker_);
    std::printf("%s: worker RSS %ld KiB idle, %ld KiB with %d connections (+%ld KiB)\n", phase,
                idle_kib_, now, kConnections, now - idle_kib_);
    return now - idle_kib_;
  }

  std::optional<RingleaderServer> server_;
  pid_t worker_ = -1;
  long idle_kib_ = 0;
  std::vector<ClientConnection> conns_;
};

TEST_F(WorkerMemoryBudget, ThousandLargestAllowedRequestsStayInBudget) {
  for (int i = 0; i < kConnections; ++i) {
    ASSERT_TRUE(conns_[i].Send(LargestAllowedRequest(i)).ok());
  }
  int answered = 0;
  for (auto& c : conns_) {
    auto r = c.ReadResponse();
    if (r.ok() && r->status == 200) ++answered;
  }
  EXPECT_EQ(answered, kConnections);
  // Every connection is still open, idle between requests.
  EXPECT_LT(GrowthKiB("largest allowed requests"), kBudgetKiB);
}

TEST_F(WorkerMemoryBudget, ThousandOversizedHeaderBlocksStayInBudget) {
  // 256 KiB of header whitespace each: 250 MiB in all if the worker kept it.
  SendToAll(conns_, "GET / HTTP/1.1\r\nHost: t\r\na:" + std::string(256 * 1024, ' '));
  EXPECT_LT(GrowthKiB("oversized header blocks"), kBudgetKiB);
  // Each is refused: 431, or a reset when our unread bytes outlived the worker's lingering close.
  int refused = 0, reset = 0;
  for (auto& c : conns_) {
    auto r = c.ReadResponse();
    if (r.ok() && r->status == 431) ++refused;
    if (!r.ok()) ++reset;
  }
  std::printf("431: %d, reset: %d\n", refused, reset);
  EXPECT_EQ(refused + reset, kConnections);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace ringleader::testing
