// Unit tests for tools/ringleader_ctl/format.h: human units, the status table, trace lines.
#include "tools/ringleader_ctl/format.h"

#include "cluster/cluster_status.h"
#include "gtest/gtest.h"
#include "tools/ringleader_ctl/reply.h"
#include "tools/ringleader_ctl/test_replies.h"

namespace ringleader::ctl {
namespace {

TEST(FormatTest, UptimeInTheLargestWholeUnit) {
  EXPECT_EQ(HumanUptime(0), "0s");
  EXPECT_EQ(HumanUptime(-3), "0s");
  EXPECT_EQ(HumanUptime(12.9), "12s");
  EXPECT_EQ(HumanUptime(59.99), "59s");
  EXPECT_EQ(HumanUptime(60), "1m");
  EXPECT_EQ(HumanUptime(3599), "59m");
  EXPECT_EQ(HumanUptime(3600), "1h");
  EXPECT_EQ(HumanUptime(86399), "23h");
  EXPECT_EQ(HumanUptime(86400 * 3 + 5), "3d");
}

TEST(FormatTest, BytesInBinaryUnits) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1024), "1.0 KiB");
  EXPECT_EQ(HumanBytes(12 * 1024 + 512), "12.5 KiB");
  EXPECT_EQ(HumanBytes(47395635), "45.2 MiB");
  EXPECT_EQ(HumanBytes(int64_t{3} << 29), "1.5 GiB");
  EXPECT_EQ(HumanBytes(int64_t{5} << 40), "5.0 TiB");
  EXPECT_EQ(HumanBytes(int64_t{2048} << 40), "2048.0 TiB");
}

TEST(FormatTest, ColumnsAlignAndLoseTrailingBlanks) {
  EXPECT_EQ(RenderColumns({{"a", "bb", "c"}, {"long", "1", ""}}, {false, true, false}),
            "a     bb  c\n"
            "long   1\n");
}

TEST(FormatTest, StatusTableGolden) {
  absl::StatusOr<ClusterStatus> status = ParseStatusReply(kSampleStatus);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(
      RenderStatusTable(*status),
      "primary pid 4242, sched reuseport, 4 workers, up 2h, rolling restart in progress\n"
      "slot   pid  gen  state      uptime  restarts  requests  req/s  conns       rss    cpu\n"
      "   0  4250    2  listening     12s         1      1520  121.4      3  45.2 MiB  12.5%\n"
      "   1  4244    1  listening      2h         0    983211  118.9      2  49.0 MiB  11.0%\n"
      "   2  4245    1  draining       2h         0    975002    0.0      1  48.0 MiB   0.4%\n"
      "   3  4251    3  online         0s         2         0    0.0      0   9.0 MiB  87.0%\n");
}

TEST(FormatTest, AProgramsSdNotifyStatusGetsAColumn) {
  ClusterStatus status{.primary_pid = 7, .uptime_s = 3, .sched = "shared", .target_workers = 2};
  status.workers.push_back({.slot = 0, .pid = 11, .generation = 1, .state = "listening",
                            .status_text = "serving 40 requests"});
  status.workers.push_back({.slot = 1, .pid = 12, .generation = 1, .state = "online"});
  const std::string table = RenderStatusTable(status);
  EXPECT_NE(table.find("  status\n"), std::string::npos) << table;
  EXPECT_NE(table.find("  serving 40 requests\n"), std::string::npos) << table;
  // Read back from the JSON the primary sends: the field is optional.
  absl::StatusOr<ClusterStatus> parsed = ParseStatusReply(StatusJson(status));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->workers.at(0).status_text, "serving 40 requests");
  EXPECT_EQ(parsed->workers.at(1).status_text, "");
}

TEST(FormatTest, StatusTableWithoutWorkers) {
  ClusterStatus status{.primary_pid = 7, .uptime_s = 3, .sched = "rr", .target_workers = 1};
  EXPECT_EQ(RenderStatusTable(status), "primary pid 7, sched rr, 1 worker, up 3s\nno workers\n");
}

TEST(FormatTest, EventsReadAsOneLine) {
  const absl::Time at = absl::FromUnixSeconds(3600 * 5 + 60 * 3 + 4);
  TraceRecord birth{.slot = 3, .generation = 4, .pid = 4304, .cause = "restart after crash"};
  EXPECT_EQ(FormatEvent(birth, at, absl::UTCTimeZone()),
            "05:03:04 slot 3 gen 4 pid 4304 forking (forked) restart after crash");
  TraceRecord up{.slot = 0,
                 .generation = 2,
                 .pid = 9,
                 .from = WorkerState::kOnline,
                 .to = WorkerState::kListening,
                 .event = WorkerEvent::kListeningMessage};
  EXPECT_EQ(FormatEvent(up, at, absl::UTCTimeZone()),
            "05:03:04 slot 0 gen 2 pid 9 online -> listening (listening_message)");
}

}  // namespace
}  // namespace ringleader::ctl
