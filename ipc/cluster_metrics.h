// ClusterMetrics: the primary's aggregate of the METRIC messages each worker sends, rendered as
// the CLUSTER_METRICS message it broadcasts back (workers serve it at GET /metrics). The wire
// format of both is ipc/bus_protocol.h; this keeps the latest report of each live worker.
//
//   metrics.Update(slot, pid, envelope.body);     // on every METRIC
//   metrics.Forget(pid);                          // when that worker is gone
//   channel.Send(metrics.Render(bus_totals));
#pragma once

#include <simdjson.h>

#include <map>
#include <string>

#include "ipc/bus_protocol.h"

namespace ringleader {

class ClusterMetrics {
 public:
  void Update(int slot, int pid, const simdjson::dom::object& body);
  void Forget(int pid) { by_pid_.erase(pid); }
  // The latest report of `pid`; nullptr before its first.
  const MetricReport* Find(int pid) const {
    const auto it = by_pid_.find(pid);
    return it == by_pid_.end() ? nullptr : &it->second.report;
  }
  // {"type":"CLUSTER_METRICS","workers":[...],"total":{...},"bus":{...}}
  std::string Render(const BusTotals& bus) const { return ClusterMetricsMessage(by_pid_, bus); }

 private:
  std::map<int, WorkerMetrics> by_pid_;
};

}  // namespace ringleader
