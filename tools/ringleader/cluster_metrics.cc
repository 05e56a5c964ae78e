// Aggregation and rendering of worker metrics.
#include "tools/ringleader/cluster_metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ringleader {

namespace {

// A worker's numbers are untrusted: clamped to [0, 2^40] so no sum over 65536 workers overflows.
void ReadCounter(const simdjson::dom::object& body, const char* key, int64_t& field) {
  int64_t value = 0;
  if (body[key].get(value) != simdjson::SUCCESS) return;  // absent or mistyped: keep the last
  field = std::clamp<int64_t>(value, 0, int64_t{1} << 40);
}

}  // namespace

void ClusterMetrics::Update(int slot, int pid, const simdjson::dom::object& body) {
  WorkerMetrics& m = by_pid_[pid];
  m.slot = slot;
  ReadCounter(body, "requests", m.requests);
  ReadCounter(body, "connections", m.connections);
  ReadCounter(body, "rss_bytes", m.rss_bytes);
  ReadCounter(body, "loop_lag_us", m.loop_lag_us);
}

std::string ClusterMetrics::Render(const BusTotals& bus) const {
  std::string out = "{\"type\":\"CLUSTER_METRICS\",\"workers\":[";
  WorkerMetrics total;
  bool first = true;
  for (const auto& [pid, m] : by_pid_) {
    absl::StrAppend(&out, first ? "" : ",", "{\"slot\":", m.slot, ",\"pid\":", pid,
                    ",\"requests\":", m.requests, ",\"connections\":", m.connections,
                    ",\"rss_bytes\":", m.rss_bytes, ",\"loop_lag_us\":", m.loop_lag_us, "}");
    first = false;
    total.requests += m.requests;
    total.connections += m.connections;
    total.rss_bytes += m.rss_bytes;
    total.loop_lag_us = std::max(total.loop_lag_us, m.loop_lag_us);
  }
  absl::StrAppend(&out, "],\"total\":{\"workers\":", by_pid_.size(), ",\"requests\":",
                  total.requests, ",\"connections\":", total.connections, ",\"rss_bytes\":",
                  total.rss_bytes, ",\"max_loop_lag_us\":", total.loop_lag_us, "},\"bus\":{",
                  "\"routed\":", bus.routed, ",\"bad_json\":", bus.bad_json,
                  ",\"unknown_type\":", bus.unknown_type, ",\"spoofed\":", bus.spoofed,
                  ",\"undeliverable\":", bus.undeliverable, ",\"oversize\":", bus.oversize, "}}");
  return out;
}

}  // namespace ringleader
