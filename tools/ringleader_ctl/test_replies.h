// Canned control-socket replies shared by the ringleader-ctl tests and the fake server.
#pragma once

namespace ringleader::ctl {

// A status reply as the primary would send it (cluster/cluster_status.h): four workers, one of
// them draining, one just restarted, a rolling restart in progress.
inline constexpr char kSampleStatus[] =
    R"({"ok":true,"primary":{"pid":4242,"uptime_s":7384.2,"sched":"reuseport","workers":4,)"
    R"("rollout":true},"workers":[)"
    R"({"slot":0,"pid":4250,"generation":2,"state":"listening","uptime_s":12.5,"restarts":1,)"
    R"("requests":1520,"rps":121.4,"connections":3,"rss_bytes":47395635,"cpu_percent":12.5},)"
    R"({"slot":1,"pid":4244,"generation":1,"state":"listening","uptime_s":7383,"restarts":0,)"
    R"("requests":983211,"rps":118.9,"connections":2,"rss_bytes":51380224,"cpu_percent":11.0},)"
    R"({"slot":2,"pid":4245,"generation":1,"state":"draining","uptime_s":7383,"restarts":0,)"
    R"("requests":975002,"rps":0,"connections":1,"rss_bytes":50331648,"cpu_percent":0.4},)"
    R"({"slot":3,"pid":4251,"generation":3,"state":"online","uptime_s":0.8,"restarts":2,)"
    R"("requests":0,"rps":0,"connections":0,"rss_bytes":9437184,"cpu_percent":87.0}]})";

}  // namespace ringleader::ctl
