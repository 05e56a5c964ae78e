// Aggregation of worker metrics: the latest report of each worker, by pid.
#include "ipc/cluster_metrics.h"

namespace ringleader {

void ClusterMetrics::Update(int slot, int pid, const simdjson::dom::object& body) {
  WorkerMetrics& m = by_pid_[pid];
  m.slot = slot;
  m.report = ReadMetric(body, m.report);
}

}  // namespace ringleader
