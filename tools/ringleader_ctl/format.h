// What ringleader-ctl prints: human units, the `status` table, one-line trace events. Pure
// functions of their inputs, so the output is golden-testable.
//
//   HumanUptime(12.5)          → "12s"     (then "3m", "2h", "4d": the largest whole unit)
//   HumanBytes(47'395'635)     → "45.2 MiB"
//   std::cout << RenderStatusTable(status);
//   std::cout << FormatEvent(record, absl::Now(), absl::LocalTimeZone()) << "\n";
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cluster/cluster_status.h"
#include "fsm/trace.h"

namespace ringleader::ctl {

// Whole seconds under a minute, whole minutes under an hour, whole hours under a day, then days.
std::string HumanUptime(double seconds);

// "0 B", "512 B", "12.0 KiB", "45.2 MiB", "1.5 GiB" (binary units, one decimal from KiB up).
std::string HumanBytes(int64_t bytes);

// "primary pid 4242, sched reuseport, 4 workers, up 2h[, rolling restart in progress]".
std::string StatusHeadline(const ClusterStatus& status);

// A header line (primary pid, sched, workers, uptime, rollout) then one row per worker:
// slot, pid, gen, state, uptime, restarts, requests, req/s, conns, rss, cpu.
std::string RenderStatusTable(const ClusterStatus& status);

// "12:03:04 slot 0 gen 2 pid 4242 online -> listening (listening_message) cause", the time being
// when the record arrived (its t_ns is a monotonic clock, meaningless to a reader).
std::string FormatEvent(const TraceRecord& record, absl::Time received, absl::TimeZone zone);

// Text columns: the first row is the header; `right_aligned[c]` right-aligns column c. Columns
// are as wide as their widest cell, two spaces apart, no trailing blanks.
std::string RenderColumns(const std::vector<std::vector<std::string>>& rows,
                          const std::vector<bool>& right_aligned);

}  // namespace ringleader::ctl
