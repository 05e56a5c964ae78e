// PrometheusText: a ClusterStatus as the body of `GET /metrics`, in the Prometheus text
// exposition format 0.0.4 (Content-Type: text/plain; version=0.0.4). Pure: no clock, no I/O; the
// primary fills the snapshot (cluster/cluster_status.h) and serves whatever this returns.
//
//   std::string body = PrometheusText(status);
//   // # HELP ringleader_workers Workers in each lifecycle state.
//   // # TYPE ringleader_workers gauge
//   // ringleader_workers{state="forking"} 0
//   // ringleader_workers{state="listening"} 2
//   // ...
//   // ringleader_worker_requests_total{slot="0",pid="101"} 1200
//
// Families, all prefixed `ringleader_`, cluster-wide first, then one line per worker:
//   requests_total (counter), connections (gauge)       sums over the workers in the snapshot
//   workers{state} (gauge)                               every lifecycle state, 0 when none
//   restarts_total{cause}, lifecycle_transitions_total{from,to} (counters)
//   bus_messages_routed_total, bus_messages_dropped_total (counters)
//   target_workers, primary_uptime_seconds (gauges)
//   worker_requests_total, worker_connections, worker_resident_memory_bytes,
//   worker_cpu_ratio (cpu_percent / 100: 1 = one core busy), worker_state{state} = 1 — each
//   labelled {slot, pid}.
#pragma once

#include <string>
#include <string_view>

#include "cluster/cluster_status.h"

namespace ringleader {

// The whole exposition: a `# HELP` and a `# TYPE` line before each family's samples, label values
// escaped (backslash, double quote, newline), every line — the last included — ending in '\n'.
// A family with no samples (no workers, no restarts yet) still gets its HELP and TYPE lines.
// A transitions key without "->" is reported with the whole key as `from` and an empty `to`.
std::string PrometheusText(const ClusterStatus& status);

// A label value escaped for the exposition format: `\` → `\\`, `"` → `\"`, newline → `\n`.
std::string EscapePrometheusLabelValue(std::string_view value);

}  // namespace ringleader
