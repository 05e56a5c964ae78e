// Unit tests for ipc/bus_protocol.h: each built-in message's exact bytes (the wire format is
// fixed), and that each reader takes back what its builder wrote and refuses what it must.
#include "ipc/bus_protocol.h"

#include <gtest/gtest.h>

namespace ringleader {
namespace {

Envelope Parse(MessageReader& reader, std::string_view payload) {
  auto e = reader.Read(payload);
  EXPECT_TRUE(e.ok()) << payload << ": " << e.status();
  return e.ok() ? *e : Envelope{};
}

TEST(BusProtocolTest, EveryBuiltinTypeNameParsesBack) {
  for (BuiltinType t : kBuiltinTypes) {
    EXPECT_EQ(ParseBuiltinType(BuiltinTypeName(t)), t) << BuiltinTypeName(t);
  }
  for (std::string_view other : {"", "USER_MESSAGE", "Online", "metric", "NOTE"}) {
    EXPECT_EQ(ParseBuiltinType(other), std::nullopt) << other;
  }
}

TEST(BusProtocolTest, ConfigMetricsAggregatesAndHandOffsArePrimaryOnly) {
  EXPECT_TRUE(IsPrimaryOnlyType("CONFIG_UPDATE"));
  EXPECT_TRUE(IsPrimaryOnlyType("CLUSTER_METRICS"));
  EXPECT_TRUE(IsPrimaryOnlyType("conn"));
  EXPECT_TRUE(IsPrimaryOnlyType("handoff_end"));
  for (std::string_view t :
       {"METRIC", "online", "USER_MESSAGE", "config_update", "taken", "handoff_stop"}) {
    EXPECT_FALSE(IsPrimaryOnlyType(t)) << t;
  }
}

TEST(BusProtocolTest, LifecycleMessagesAreTheTypeAlone) {
  EXPECT_EQ(LifecycleMessage(BuiltinType::kOnline), R"({"type":"online"})");
  EXPECT_EQ(LifecycleMessage(BuiltinType::kListening), R"({"type":"listening"})");
  EXPECT_EQ(LifecycleMessage(BuiltinType::kHeartbeat), R"({"type":"heartbeat"})");
  EXPECT_EQ(LifecycleMessage(BuiltinType::kConnection), kConnectionFrame);
  EXPECT_EQ(LifecycleMessage(BuiltinType::kHandOffEnd), kHandOffEndFrame);
  EXPECT_EQ(kConnectionFrame, R"({"type":"conn"})");
}

TEST(BusProtocolTest, TakenRoundTripsAndRefusesWhatIsMissing) {
  const std::string wire = TakenMessage({.taken = 12, .open = 3});
  EXPECT_EQ(wire, R"({"type":"taken","taken":12,"open":3})");
  MessageReader reader;
  const std::optional<TakenReport> got = ReadTaken(Parse(reader, wire).body);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->taken, 12);
  EXPECT_EQ(got->open, 3);
  EXPECT_FALSE(ReadTaken(Parse(reader, R"({"type":"taken","taken":1})").body).has_value());
  EXPECT_FALSE(
      ReadTaken(Parse(reader, R"({"type":"taken","taken":"x","open":1})").body).has_value());
  const std::optional<TakenReport> huge =
      ReadTaken(Parse(reader, R"({"type":"taken","taken":-4,"open":9223372036854775807})").body);
  ASSERT_TRUE(huge.has_value());
  EXPECT_EQ(huge->taken, 0);
  EXPECT_EQ(huge->open, int64_t{1} << 40);
}

TEST(BusProtocolTest, MetricRoundTrips) {
  const MetricReport sent{
      .requests = 5, .connections = 2, .rss_bytes = 4096, .loop_lag_us = 7, .accepted = 9};
  const std::string wire = MetricMessage(sent).Build();
  EXPECT_EQ(wire, R"({"type":"METRIC","requests":5,"connections":2,"rss_bytes":4096,)"
                  R"("loop_lag_us":7,"accepted":9})");
  MessageReader reader;
  const MetricReport got = ReadMetric(Parse(reader, wire).body, {});
  EXPECT_EQ(got.requests, 5);
  EXPECT_EQ(got.connections, 2);
  EXPECT_EQ(got.rss_bytes, 4096);
  EXPECT_EQ(got.loop_lag_us, 7);
  EXPECT_EQ(got.accepted, 9);
}

TEST(BusProtocolTest, MetricReaderClampsAndKeepsWhatIsMissing) {
  MessageReader reader;
  const MetricReport previous{.requests = 1, .connections = 2, .rss_bytes = 3, .loop_lag_us = 4};
  const MetricReport got = ReadMetric(
      Parse(reader, R"({"type":"METRIC","requests":9223372036854775807,"connections":-5,)"
                    R"("rss_bytes":"x"})")
          .body,
      previous);
  EXPECT_EQ(got.requests, int64_t{1} << 40);
  EXPECT_EQ(got.connections, 0);
  EXPECT_EQ(got.rss_bytes, 3) << "mistyped: the last value stays";
  EXPECT_EQ(got.loop_lag_us, 4) << "absent: the last value stays";
}

TEST(BusProtocolTest, ClusterMetricsBytes) {
  const std::map<int, WorkerMetrics> by_pid{
      {101, {.slot = 1, .report = {.requests = 6, .connections = 1, .rss_bytes = 20,
                                   .loop_lag_us = 3, .accepted = 4}}},
      {100, {.slot = 0, .report = {.requests = 5, .connections = 2, .rss_bytes = 10,
                                   .loop_lag_us = 7, .accepted = 2}}}};
  EXPECT_EQ(ClusterMetricsMessage(by_pid, {.routed = 4, .bad_json = 1, .oversize = 2}),
            R"({"type":"CLUSTER_METRICS","workers":[)"
            R"({"slot":0,"pid":100,"requests":5,"connections":2,"rss_bytes":10,"loop_lag_us":7,)"
            R"("accepted":2},)"
            R"({"slot":1,"pid":101,"requests":6,"connections":1,"rss_bytes":20,"loop_lag_us":3,)"
            R"("accepted":4}],)"
            R"("total":{"workers":2,"requests":11,"connections":3,"rss_bytes":30,)"
            R"("max_loop_lag_us":7,"accepted":6},)"
            R"("bus":{"routed":4,"bad_json":1,"unknown_type":0,"spoofed":0,"undeliverable":0,)"
            R"("oversize":2}})");
  EXPECT_EQ(ClusterMetricsMessage({}, {}),
            R"({"type":"CLUSTER_METRICS","workers":[],"total":{"workers":0,"requests":0,)"
            R"("connections":0,"rss_bytes":0,"max_loop_lag_us":0,"accepted":0},"bus":{"routed":0,)"
            R"("bad_json":0,"unknown_type":0,"spoofed":0,"undeliverable":0,"oversize":0}})");
}

TEST(BusProtocolTest, ConfigUpdateRequestAndBroadcast) {
  EXPECT_EQ(ConfigUpdateRequest(R"({"x":1})"), R"({"type":"CONFIG_UPDATE","config":{"x":1}})");
  EXPECT_EQ(ConfigUpdateMessage(R"({"x":1})", 3),
            R"({"type":"CONFIG_UPDATE","config":{"x":1},"version":3})");
  MessageReader reader;
  auto request = ReadConfigUpdate(Parse(reader, ConfigUpdateRequest(R"({"x": [1, 2]})")));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->config, R"({"x":[1,2]})") << "minified";
  EXPECT_EQ(request->version, std::nullopt);
  auto broadcast = ReadConfigUpdate(Parse(reader, ConfigUpdateMessage(R"({"y":"z"})", 9)));
  ASSERT_TRUE(broadcast.ok()) << broadcast.status();
  EXPECT_EQ(broadcast->config, R"({"y":"z"})");
  EXPECT_EQ(broadcast->version, 9);
}

TEST(BusProtocolTest, ConfigUpdateWithoutAConfigObjectIsRefused) {
  MessageReader reader;
  for (const char* bad : {R"({"type":"CONFIG_UPDATE"})", R"({"type":"CONFIG_UPDATE","config":1})",
                          R"({"type":"CONFIG_UPDATE","config":[{}]})"}) {
    auto got = ReadConfigUpdate(Parse(reader, bad));
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().message(), "CONFIG_UPDATE without a \"config\" object");
  }
  auto mistyped =
      ReadConfigUpdate(Parse(reader, R"({"type":"CONFIG_UPDATE","config":{},"version":"2"})"));
  ASSERT_TRUE(mistyped.ok());
  EXPECT_EQ(mistyped->version, std::nullopt) << "a version that is not a number is no version";
}

}  // namespace
}  // namespace ringleader
