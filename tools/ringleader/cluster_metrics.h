// ClusterMetrics: the primary's aggregate of the METRIC messages each worker sends, rendered as
// the CLUSTER_METRICS message it broadcasts back (workers serve it at GET /metrics).
//
//   metrics.Update(slot, pid, envelope.body);     // on every METRIC
//   metrics.Forget(pid);                          // when that worker is gone
//   channel.Send(metrics.Render(bus_totals));
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <string>

namespace ringleader {

struct BusTotals {
  uint64_t routed = 0;         // worker-to-worker deliveries queued
  uint64_t bad_json = 0;
  uint64_t unknown_type = 0;
  uint64_t spoofed = 0;
  uint64_t undeliverable = 0;  // no live target, or its queue was full
  uint64_t oversize = 0;       // frames over --ipc_max_message, skipped
};

struct WorkerMetrics {
  int slot = 0;
  int64_t requests = 0;
  int64_t connections = 0;
  int64_t rss_bytes = 0;
  int64_t loop_lag_us = 0;
};

class ClusterMetrics {
 public:
  void Update(int slot, int pid, const simdjson::dom::object& body);
  void Forget(int pid) { by_pid_.erase(pid); }
  // {"type":"CLUSTER_METRICS","workers":[...],"total":{...},"bus":{...}}
  std::string Render(const BusTotals& bus) const;

 private:
  std::map<int, WorkerMetrics> by_pid_;
};

}  // namespace ringleader
