// Unit tests for tools/ringleader_ctl/reply.h: replies read, malformed ones named.
#include "tools/ringleader_ctl/reply.h"

#include "gtest/gtest.h"
#include "tools/ringleader_ctl/test_replies.h"

namespace ringleader::ctl {
namespace {

TEST(ReplyTest, OkRepliesCarryTheirNumbers) {
  absl::StatusOr<Reply> r = ParseReply("{\"ok\":true}\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->workers.has_value());
  r = ParseReply(R"({"ok":true,"workers":3})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->workers, 3);
  r = ParseReply(R"({"ok":true,"delivered":2})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->delivered, 2);
}

TEST(ReplyTest, TheServersErrorIsTheMessage) {
  absl::StatusOr<Reply> r =
      ParseReply(R"({"ok":false,"error":"scale: 0 workers is not a cluster"})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsServerError(r.status()));
  EXPECT_EQ(r.status().message(), "scale: 0 workers is not a cluster");
  r = ParseReply(R"({"ok":false})");
  EXPECT_TRUE(IsServerError(r.status()));
  EXPECT_EQ(r.status().message(), "the server refused without saying why");
}

TEST(ReplyTest, MalformedRepliesSayWhatIsWrong) {
  EXPECT_EQ(ParseReply("nope").status().message(), "malformed reply from the server: not JSON");
  EXPECT_EQ(ParseReply("[]").status().message(),
            "malformed reply from the server: not a JSON object");
  EXPECT_EQ(ParseReply("{}").status().message(),
            "malformed reply from the server: reply field \"ok\" missing or of the wrong type");
  EXPECT_FALSE(IsServerError(ParseReply("{}").status()));
}

TEST(ReplyTest, StatusFillsTheClusterStatus) {
  absl::StatusOr<ClusterStatus> s = ParseStatusReply(kSampleStatus);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->primary_pid, 4242);
  EXPECT_DOUBLE_EQ(s->uptime_s, 7384.2);
  EXPECT_EQ(s->sched, "reuseport");
  EXPECT_EQ(s->target_workers, 4);
  EXPECT_TRUE(s->rollout_in_progress);
  ASSERT_EQ(s->workers.size(), 4u);
  const WorkerStatus& w = s->workers[0];
  EXPECT_EQ(w.slot, 0);
  EXPECT_EQ(w.pid, 4250);
  EXPECT_EQ(w.generation, 2u);
  EXPECT_EQ(w.state, "listening");
  EXPECT_DOUBLE_EQ(w.uptime_s, 12.5);
  EXPECT_EQ(w.restarts, 1);
  EXPECT_EQ(w.requests, 1520);
  EXPECT_DOUBLE_EQ(w.requests_per_s, 121.4);
  EXPECT_EQ(w.connections, 3);
  EXPECT_EQ(w.rss_bytes, 47395635);
  EXPECT_DOUBLE_EQ(w.cpu_percent, 12.5);
  EXPECT_DOUBLE_EQ(s->workers[1].uptime_s, 7383);  // an integer where a double may be
}

TEST(ReplyTest, StatusWithAMissingFieldNamesIt) {
  absl::StatusOr<ClusterStatus> s = ParseStatusReply(
      R"({"ok":true,"primary":{"pid":1,"uptime_s":1,"sched":"rr","workers":1,"rollout":false},)"
      R"("workers":[{"slot":0,"pid":2,"generation":1,"state":"listening"}]})");
  EXPECT_EQ(s.status().message(),
            "malformed reply from the server: worker field \"uptime_s\" missing or of the wrong "
            "type");
  s = ParseStatusReply(R"({"ok":true})");
  EXPECT_EQ(
      s.status().message(),
      "malformed reply from the server: reply field \"primary\" missing or of the wrong type");
  s = ParseStatusReply(R"({"ok":false,"error":"busy"})");
  EXPECT_TRUE(IsServerError(s.status()));
}

}  // namespace
}  // namespace ringleader::ctl
