// Unit tests for ipc/cluster_metrics.h: aggregation, forgetting, and that numbers a
// worker reports cannot overflow the primary's totals.
#include "ipc/cluster_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ipc/message.h"

namespace ringleader {
namespace {

using ::testing::HasSubstr;

void Report(ClusterMetrics& metrics, MessageReader& reader, int slot, int pid, const char* json) {
  auto e = reader.Read(json);
  ASSERT_TRUE(e.ok()) << json;
  metrics.Update(slot, pid, e->body);
}

TEST(ClusterMetricsTest, SumsWorkersAndForgetsTheGone) {
  ClusterMetrics metrics;
  MessageReader reader;
  Report(metrics, reader, 0, 100, R"({"type":"METRIC","requests":5,"connections":2,"rss_bytes":10,"loop_lag_us":7})");
  Report(metrics, reader, 1, 101, R"({"type":"METRIC","requests":6,"connections":1,"rss_bytes":20,"loop_lag_us":3})");
  const std::string both = metrics.Render({.routed = 4, .bad_json = 1});
  EXPECT_THAT(both, HasSubstr(R"("total":{"workers":2,"requests":11,"connections":3,"rss_bytes":30,"max_loop_lag_us":7,"accepted":0})"));
  EXPECT_THAT(both, HasSubstr(R"("bus":{"routed":4,"bad_json":1,)"));
  metrics.Forget(100);
  EXPECT_THAT(metrics.Render({}), HasSubstr(R"("total":{"workers":1,"requests":6,)"));
}

TEST(ClusterMetricsTest, HostileNumbersAreClampedNotSummedIntoOverflow) {
  ClusterMetrics metrics;
  MessageReader reader;
  for (int i = 0; i < 4; ++i) {
    Report(metrics, reader, i, 200 + i,
           R"({"type":"METRIC","requests":9223372036854775807,"connections":-5,"rss_bytes":"x"})");
  }
  const std::string out = metrics.Render({});
  EXPECT_THAT(out, HasSubstr(R"("requests":4398046511104)")) << "4 x 2^40";
  EXPECT_THAT(out, HasSubstr(R"("connections":0)"));
}

}  // namespace
}  // namespace ringleader
