// The Prometheus text exposition format 0.0.4, written from a ClusterStatus. One family at a time:
// HELP, TYPE, then its samples, so a family's lines always form one group.
#include "cluster/prometheus.h"

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "fsm/lifecycle.h"

namespace ringleader {
namespace {

enum class MetricType : uint8_t { kCounter, kGauge };

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
  }
  return "untyped";
}

// A sample value with at most `decimals` decimals and no trailing zeros; the format's spellings
// for the values a double may hold that a decimal cannot.
std::string Decimal(double value, int decimals) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::string text = absl::StrFormat("%.*f", decimals, value);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

using Label = std::pair<std::string_view, std::string_view>;

// The text being written, one family after another.
class Exposition {
 public:
  // Opens a family: its HELP and TYPE lines. The samples that follow belong to it.
  void Family(std::string_view name, MetricType type, std::string_view help) {
    name_ = name;
    Append({"# HELP ", name, " ", help, "\n# TYPE ", name, " ", TypeName(type), "\n"});
  }

  // One sample of the open family: `name{label="value",...} value`.
  void Sample(std::initializer_list<Label> labels, std::string_view value) {
    out_ += name_;
    if (labels.size() > 0) {
      char separator = '{';
      for (const auto& [label, label_value] : labels) {
        out_ += separator;
        Append({label, "=\"", EscapePrometheusLabelValue(label_value), "\""});
        separator = ',';
      }
      out_ += '}';
    }
    Append({" ", value, "\n"});
  }

  std::string Take() && { return std::move(out_); }

 private:
  // std::string_view throughout: this abseil's StrAppend takes only its own string_view.
  void Append(std::initializer_list<std::string_view> parts) {
    for (std::string_view part : parts) out_ += part;
  }

  std::string_view name_;
  std::string out_;
};

// Families with one sample per worker, labelled {slot, pid}; worker_state has its own loop.
struct WorkerFamily {
  std::string_view name;
  MetricType type;
  std::string_view help;
  std::string (*value)(const WorkerStatus&);
};

constexpr WorkerFamily kWorkerFamilies[] = {
    {"ringleader_worker_requests_total", MetricType::kCounter,
     "Requests served by the worker since it started.",
     [](const WorkerStatus& w) { return absl::StrCat(w.requests); }},
    {"ringleader_worker_connections", MetricType::kGauge, "Connections open on the worker.",
     [](const WorkerStatus& w) { return absl::StrCat(w.connections); }},
    {"ringleader_worker_resident_memory_bytes", MetricType::kGauge,
     "Resident set size of the worker process.",
     [](const WorkerStatus& w) { return absl::StrCat(w.rss_bytes); }},
    {"ringleader_worker_cpu_ratio", MetricType::kGauge,
     "CPU time of the worker per second of wall time over the last status interval (1 = one "
     "core).",
     [](const WorkerStatus& w) { return Decimal(w.cpu_percent / 100, 4); }},
};

// Workers per state: every lifecycle state in table order (0 when none), then any state text
// the snapshot holds that the lifecycle does not name, in order of appearance.
std::vector<std::pair<std::string, int64_t>> CountStates(const std::vector<WorkerStatus>& workers) {
  std::vector<std::pair<std::string, int64_t>> counts;
  for (int i = 0; i < kWorkerStateCount; ++i) {
    counts.emplace_back(StateName(static_cast<WorkerState>(i)), 0);
  }
  for (const WorkerStatus& w : workers) {
    auto it = counts.begin();
    while (it != counts.end() && it->first != w.state) ++it;
    if (it == counts.end()) it = counts.insert(it, {w.state, 0});
    ++it->second;
  }
  return counts;
}

}  // namespace

std::string EscapePrometheusLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string PrometheusText(const ClusterStatus& status) {
  Exposition out;
  int64_t requests = 0;
  int64_t connections = 0;
  for (const WorkerStatus& w : status.workers) {
    requests += w.requests;
    connections += w.connections;
  }

  out.Family("ringleader_requests_total", MetricType::kCounter,
             "Requests served, summed over the workers alive now (each since it started).");
  out.Sample({}, absl::StrCat(requests));
  out.Family("ringleader_connections", MetricType::kGauge,
             "Connections open, summed over the workers.");
  out.Sample({}, absl::StrCat(connections));

  out.Family("ringleader_workers", MetricType::kGauge, "Workers in each lifecycle state.");
  for (const auto& [state, count] : CountStates(status.workers)) {
    out.Sample({{"state", state}}, absl::StrCat(count));
  }

  out.Family("ringleader_restarts_total", MetricType::kCounter,
             "Workers replaced since the primary started, by cause.");
  for (const auto& [cause, count] : status.restarts_by_cause) {
    out.Sample({{"cause", cause}}, absl::StrCat(count));
  }

  out.Family("ringleader_lifecycle_transitions_total", MetricType::kCounter,
             "Worker lifecycle transitions since the primary started.");
  for (const auto& [key, count] : status.transitions) {
    const size_t arrow = key.find("->");
    const std::string_view from = std::string_view(key).substr(0, arrow);
    const std::string_view to =
        arrow == std::string::npos ? std::string_view() : std::string_view(key).substr(arrow + 2);
    out.Sample({{"from", from}, {"to", to}}, absl::StrCat(count));
  }

  out.Family("ringleader_bus_messages_routed_total", MetricType::kCounter,
             "Bus messages the primary routed between workers.");
  out.Sample({}, absl::StrCat(status.bus_routed));
  out.Family("ringleader_bus_messages_dropped_total", MetricType::kCounter,
             "Bus messages the primary dropped, for any reason.");
  out.Sample({}, absl::StrCat(status.bus_dropped));

  out.Family("ringleader_target_workers", MetricType::kGauge, "Worker slots the fleet keeps.");
  out.Sample({}, absl::StrCat(status.target_workers));
  out.Family("ringleader_primary_uptime_seconds", MetricType::kGauge,
             "Seconds since the primary started.");
  out.Sample({}, Decimal(status.uptime_s, 2));

  for (const WorkerFamily& family : kWorkerFamilies) {
    out.Family(family.name, family.type, family.help);
    for (const WorkerStatus& w : status.workers) {
      const std::string slot = absl::StrCat(w.slot);
      const std::string pid = absl::StrCat(w.pid);
      out.Sample({{"slot", slot}, {"pid", pid}}, family.value(w));
    }
  }
  out.Family("ringleader_worker_state", MetricType::kGauge,
             "The worker's lifecycle state: 1 on the series labelled with it.");
  for (const WorkerStatus& w : status.workers) {
    const std::string slot = absl::StrCat(w.slot);
    const std::string pid = absl::StrCat(w.pid);
    out.Sample({{"slot", slot}, {"pid", pid}, {"state", w.state}}, "1");
  }
  return std::move(out).Take();
}

}  // namespace ringleader
