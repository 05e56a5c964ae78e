// Unit tests for StatusJson (cluster/cluster_status.h): the exact text for a two-worker fleet,
// and that simdjson reads back what was written — hostile strings and odd doubles included.
#include "cluster/cluster_status.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace ringleader {
namespace {

ClusterStatus TwoWorkers() {
  ClusterStatus status{.primary_pid = 100,
                       .uptime_s = 3723.456,
                       .sched = "rr",
                       .target_workers = 2,
                       .rollout_in_progress = false};
  status.workers.push_back({.slot = 0,
                            .pid = 101,
                            .generation = 1,
                            .state = "listening",
                            .uptime_s = 120.5,
                            .restarts = 0,
                            .requests = 1200,
                            .requests_per_s = 35.25,
                            .connections = 3,
                            .rss_bytes = 10485760,
                            .cpu_percent = 12.5});
  status.workers.push_back({.slot = 1,
                            .pid = 102,
                            .generation = 3,
                            .state = "draining",
                            .uptime_s = 2.0,
                            .restarts = 2,
                            .requests = 0,
                            .requests_per_s = 0,
                            .connections = 0,
                            .rss_bytes = 8192,
                            .cpu_percent = 0.004});
  return status;
}

TEST(StatusJsonTest, TwoWorkersGolden) {
  EXPECT_EQ(StatusJson(TwoWorkers()),
            R"({"ok":true,"primary":{"pid":100,"uptime_s":3723.46,"sched":"rr","workers":2,)"
            R"("rollout":false},"workers":[)"
            R"({"slot":0,"pid":101,"generation":1,"state":"listening","uptime_s":120.5,)"
            R"("restarts":0,"requests":1200,"rps":35.25,"connections":3,"rss_bytes":10485760,)"
            R"("cpu_percent":12.5},)"
            R"({"slot":1,"pid":102,"generation":3,"state":"draining","uptime_s":2,)"
            R"("restarts":2,"requests":0,"rps":0,"connections":0,"rss_bytes":8192,)"
            R"("cpu_percent":0}]})");
}

TEST(StatusJsonTest, NoWorkersGolden) {
  ClusterStatus status{.primary_pid = 7, .sched = "reuseport", .rollout_in_progress = true};
  EXPECT_EQ(StatusJson(status),
            R"({"ok":true,"primary":{"pid":7,"uptime_s":0,"sched":"reuseport","workers":0,)"
            R"("rollout":true},"workers":[]})");
}

TEST(StatusJsonTest, SimdjsonReadsBackEveryField) {
  const std::string json = StatusJson(TwoWorkers());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;

  bool ok = false;
  ASSERT_EQ(root["ok"].get(ok), simdjson::SUCCESS);
  EXPECT_TRUE(ok);
  int64_t pid = 0;
  ASSERT_EQ(root["primary"]["pid"].get(pid), simdjson::SUCCESS);
  EXPECT_EQ(pid, 100);
  double uptime = 0;
  ASSERT_EQ(root["primary"]["uptime_s"].get(uptime), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(uptime, 3723.46);
  std::string_view sched;
  ASSERT_EQ(root["primary"]["sched"].get(sched), simdjson::SUCCESS);
  EXPECT_EQ(sched, "rr");

  simdjson::dom::array workers;
  ASSERT_EQ(root["workers"].get(workers), simdjson::SUCCESS);
  ASSERT_EQ(workers.size(), 2u);
  simdjson::dom::element second = workers.at(1);
  std::string_view state;
  ASSERT_EQ(second["state"].get(state), simdjson::SUCCESS);
  EXPECT_EQ(state, "draining");
  int64_t rss = 0;
  ASSERT_EQ(second["rss_bytes"].get(rss), simdjson::SUCCESS);
  EXPECT_EQ(rss, 8192);
  double rps = -1;
  ASSERT_EQ(workers.at(0)["rps"].get(rps), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(rps, 35.25);
}

TEST(StatusJsonTest, HostileStringsRoundTrip) {
  ClusterStatus status = TwoWorkers();
  const std::string hostile = "a\"b\\c\nd\te\x01";
  status.sched = hostile;
  status.workers[0].state = hostile;
  const std::string json = StatusJson(status);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  std::string_view sched;
  ASSERT_EQ(root["primary"]["sched"].get(sched), simdjson::SUCCESS);
  EXPECT_EQ(sched, hostile);
  std::string_view state;
  ASSERT_EQ(root["workers"].at(0)["state"].get(state), simdjson::SUCCESS);
  EXPECT_EQ(state, hostile);
}

// JSON has no NaN or infinity: such a value is null, and the document still parses. A value
// that rounds to zero from below is "0", not "-0".
TEST(StatusJsonTest, OddDoubles) {
  ClusterStatus status = TwoWorkers();
  status.workers[0].requests_per_s = std::numeric_limits<double>::quiet_NaN();
  status.workers[0].cpu_percent = std::numeric_limits<double>::infinity();
  status.workers[1].cpu_percent = -0.001;
  const std::string json = StatusJson(status);
  EXPECT_NE(json.find(R"("rps":null,)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("cpu_percent":null})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("cpu_percent":0}])"), std::string::npos) << json;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
}

}  // namespace
}  // namespace ringleader
