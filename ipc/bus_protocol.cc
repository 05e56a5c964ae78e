// Built-in bus types: names, builders and readers.
#include "ipc/bus_protocol.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {

std::string_view BuiltinTypeName(BuiltinType type) {
  switch (type) {
    case BuiltinType::kOnline: return kOnlineType;
    case BuiltinType::kListening: return kListeningType;
    case BuiltinType::kHeartbeat: return kHeartbeatType;
    case BuiltinType::kMetric: return kMetricType;
    case BuiltinType::kClusterMetrics: return kClusterMetricsType;
    case BuiltinType::kConfigUpdate: return kConfigUpdateType;
    case BuiltinType::kConnection: return kConnectionType;
    case BuiltinType::kTaken: return kTakenType;
    case BuiltinType::kHandOffStop: return kHandOffStopType;
    case BuiltinType::kHandOffEnd: return kHandOffEndType;
  }
  return {};
}

std::optional<BuiltinType> ParseBuiltinType(std::string_view type) {
  for (BuiltinType t : kBuiltinTypes) {
    if (type == BuiltinTypeName(t)) return t;
  }
  return std::nullopt;
}

bool IsPrimaryOnlyType(std::string_view type) {
  return type == kConfigUpdateType || type == kClusterMetricsType || type == kConnectionType ||
         type == kHandOffEndType;
}

std::string LifecycleMessage(BuiltinType type) { return MakeMessage(BuiltinTypeName(type)); }

MessageBuilder MetricMessage(const MetricReport& report) {
  MessageBuilder message(kMetricType);
  message.Add("requests", report.requests)
      .Add("connections", report.connections)
      .Add("rss_bytes", report.rss_bytes)
      .Add("loop_lag_us", report.loop_lag_us)
      .Add("accepted", report.accepted);
  return message;
}

namespace {

void ReadCounter(const simdjson::dom::object& body, const char* key, int64_t& field) {
  int64_t value = 0;
  if (body[key].get(value) != simdjson::SUCCESS) return;  // absent or mistyped: keep the last
  field = std::clamp<int64_t>(value, 0, int64_t{1} << 40);
}

}  // namespace

std::string TakenMessage(const TakenReport& report) {
  return MessageBuilder(kTakenType).Add("taken", report.taken).Add("open", report.open).Build();
}

std::optional<TakenReport> ReadTaken(const simdjson::dom::object& body) {
  TakenReport report{.taken = -1, .open = -1};
  ReadCounter(body, "taken", report.taken);
  ReadCounter(body, "open", report.open);
  if (report.taken < 0 || report.open < 0) return std::nullopt;
  return report;
}

MetricReport ReadMetric(const simdjson::dom::object& body, MetricReport previous) {
  ReadCounter(body, "requests", previous.requests);
  ReadCounter(body, "connections", previous.connections);
  ReadCounter(body, "rss_bytes", previous.rss_bytes);
  ReadCounter(body, "loop_lag_us", previous.loop_lag_us);
  ReadCounter(body, "accepted", previous.accepted);
  return previous;
}

std::string ClusterMetricsMessage(const std::map<int, WorkerMetrics>& by_pid,
                                  const BusTotals& bus) {
  std::string out = absl::StrCat("{\"type\":\"", Absl(kClusterMetricsType), "\",\"workers\":[");
  MetricReport total;
  bool first = true;
  for (const auto& [pid, w] : by_pid) {
    const MetricReport& m = w.report;
    absl::StrAppend(&out, first ? "" : ",", "{\"slot\":", w.slot, ",\"pid\":", pid,
                    ",\"requests\":", m.requests, ",\"connections\":", m.connections,
                    ",\"rss_bytes\":", m.rss_bytes, ",\"loop_lag_us\":", m.loop_lag_us,
                    ",\"accepted\":", m.accepted, "}");
    first = false;
    total.requests += m.requests;
    total.connections += m.connections;
    total.rss_bytes += m.rss_bytes;
    total.accepted += m.accepted;
    total.loop_lag_us = std::max(total.loop_lag_us, m.loop_lag_us);
  }
  absl::StrAppend(&out, "],\"total\":{\"workers\":", by_pid.size(), ",\"requests\":",
                  total.requests, ",\"connections\":", total.connections, ",\"rss_bytes\":",
                  total.rss_bytes, ",\"max_loop_lag_us\":", total.loop_lag_us,
                  ",\"accepted\":", total.accepted, "},\"bus\":{",
                  "\"routed\":", bus.routed, ",\"bad_json\":", bus.bad_json,
                  ",\"unknown_type\":", bus.unknown_type, ",\"spoofed\":", bus.spoofed,
                  ",\"undeliverable\":", bus.undeliverable, ",\"oversize\":", bus.oversize, "}}");
  return out;
}

std::string ConfigUpdateRequest(std::string_view config_json) {
  return MessageBuilder(kConfigUpdateType).AddRaw("config", config_json).Build();
}

std::string ConfigUpdateMessage(std::string_view config_json, int64_t version) {
  return MessageBuilder(kConfigUpdateType)
      .AddRaw("config", config_json)
      .Add("version", version)
      .Build();
}

absl::StatusOr<ConfigUpdate> ReadConfigUpdate(const Envelope& message) {
  simdjson::dom::object config;
  if (message.body["config"].get(config) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("CONFIG_UPDATE without a \"config\" object");
  }
  ConfigUpdate update{.config = simdjson::minify(config), .version = std::nullopt};
  int64_t version = 0;
  if (message.body["version"].get(version) == simdjson::SUCCESS) update.version = version;
  return update;
}

}  // namespace ringleader
