// ClusterStatus: one snapshot of the cluster as the primary sees it — what `ringleader-ctl
// status` prints, what the control socket's "status" answers (StatusJson), and what
// --metrics_port serves in the Prometheus text format (PrometheusText, cluster/prometheus.h).
// Plain data; the primary fills it (cluster/primary_control.cc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ringleader {

struct WorkerStatus {
  int slot = 0;
  pid_t pid = 0;
  uint32_t generation = 0;
  std::string state;         // fsm/lifecycle.h's name: forking, online, listening, draining, dead
  double uptime_s = 0;       // since it was forked
  int64_t restarts = 0;      // replacements of its slot so far (crashes, kills, failed starts)
  int64_t requests = 0;      // served since it started (its last METRIC)
  double requests_per_s = 0;  // over its last two METRICs
  int64_t connections = 0;   // open now (its last METRIC)
  int64_t rss_bytes = 0;
  double cpu_percent = 0;    // of one core, over the last status interval (/proc/<pid>/stat)
  std::string status_text;   // `ringleader exec`: the program's last sd_notify STATUS=, if any
};

struct ClusterStatus {
  pid_t primary_pid = 0;
  double uptime_s = 0;
  std::string sched;         // rr, shared, reuseport
  int target_workers = 0;    // slots the fleet keeps
  bool rollout_in_progress = false;
  std::vector<WorkerStatus> workers;  // by slot, then generation
  // Counters since the primary started, for /metrics.
  std::map<std::string, int64_t> restarts_by_cause;  // "crash", "watchdog", "ready_timeout", ...
  std::map<std::string, int64_t> transitions;         // "online->listening" → count
  int64_t bus_routed = 0;
  int64_t bus_dropped = 0;                            // every message dropped, any reason
};

// {"ok":true,"primary":{"pid":P,"uptime_s":U,"sched":"rr","workers":N,"rollout":false},
//  "workers":[{"slot":0,"pid":..,"generation":..,"state":"listening","uptime_s":..,
//  "restarts":..,"requests":..,"rps":..,"connections":..,"rss_bytes":..,"cpu_percent":..}]}
std::string StatusJson(const ClusterStatus& status);

}  // namespace ringleader
