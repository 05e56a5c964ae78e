// The bus protocol: the message types the cluster itself speaks, and one builder and one reader
// per type, shared by the worker and the primary so that a field is spelt in one place. The
// envelope (type, to, from) is ipc/message.h; which way a message may go is ipc/bus_route.h.
// Types a program adds for itself (the built-in app's USER_MESSAGE) are not listed here: the
// primary routes them without reading them.
//
//   channel.Send(LifecycleMessage(BuiltinType::kOnline), Lane::kControl);   // worker
//   bus.SendToPrimary(MetricMessage({.requests = n, .connections = open}));
//
//   if (const std::optional<BuiltinType> t = ParseBuiltinType(envelope.type)) {  // primary
//     switch (*t) { case BuiltinType::kMetric: report = ReadMetric(envelope.body, report); ... }
//   }
//
// The wire format is fixed: tests and the README show these bytes.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ipc/message.h"

namespace ringleader {

// The "type" of each built-in message. Lifecycle messages are lower case (as in Node's cluster),
// data messages upper case.
inline constexpr std::string_view kOnlineType = "online";          // worker → primary
inline constexpr std::string_view kListeningType = "listening";    // worker → primary
inline constexpr std::string_view kHeartbeatType = "heartbeat";    // worker → primary
inline constexpr std::string_view kMetricType = "METRIC";          // worker → primary
inline constexpr std::string_view kClusterMetricsType = "CLUSTER_METRICS";  // primary → workers
// primary → workers, versioned; worker → primary (no version) asks for a broadcast.
inline constexpr std::string_view kConfigUpdateType = "CONFIG_UPDATE";
// Connection hand-off (--sched=rr, and a reuseport slot the primary accepts for), all on the
// control lane: "conn" carries one accepted connection (SCM_RIGHTS); the worker acknowledges
// with "taken"; "handoff_stop" asks for no more, and "handoff_end" is the primary's promise
// that none follows (a draining worker waits for it before it closes its channel).
inline constexpr std::string_view kConnectionType = "conn";              // primary → worker
inline constexpr std::string_view kTakenType = "taken";                  // worker → primary
inline constexpr std::string_view kHandOffStopType = "handoff_stop";     // worker → primary
inline constexpr std::string_view kHandOffEndType = "handoff_end";       // primary → worker

enum class BuiltinType {
  kOnline,
  kListening,
  kHeartbeat,
  kMetric,
  kClusterMetrics,
  kConfigUpdate,
  kConnection,
  kTaken,
  kHandOffStop,
  kHandOffEnd,
};
// Every built-in type, in declaration order.
inline constexpr BuiltinType kBuiltinTypes[] = {
    BuiltinType::kOnline,      BuiltinType::kListening,    BuiltinType::kHeartbeat,
    BuiltinType::kMetric,      BuiltinType::kClusterMetrics, BuiltinType::kConfigUpdate,
    BuiltinType::kConnection,  BuiltinType::kTaken,        BuiltinType::kHandOffStop,
    BuiltinType::kHandOffEnd};

// The wire name of `type` (one of the constants above).
std::string_view BuiltinTypeName(BuiltinType type);
// The built-in type named `type`; nullopt for any other (a program's own type).
std::optional<BuiltinType> ParseBuiltinType(std::string_view type);
// Types only the primary may send to workers: a worker addressing one to workers is dropped.
bool IsPrimaryOnlyType(std::string_view type);

// online, listening, heartbeat, conn, handoff_stop, handoff_end: {"type":"<name>"} and nothing
// else. A worker recognises the primary's conn and handoff_end by these exact bytes.
std::string LifecycleMessage(BuiltinType type);
inline constexpr std::string_view kConnectionFrame = R"({"type":"conn"})";
inline constexpr std::string_view kHandOffEndFrame = R"({"type":"handoff_end"})";

// taken: how many handed-over connections the worker has taken since it started, and how many
// connections it has open now.
struct TakenReport {
  int64_t taken = 0;
  int64_t open = 0;
};
// {"type":"taken","taken":T,"open":O}
std::string TakenMessage(const TakenReport& report);
// Clamped to [0, 2^40] like METRIC; nullopt when a field is absent or mistyped.
std::optional<TakenReport> ReadTaken(const simdjson::dom::object& body);

// METRIC: what one worker reports each metrics interval.
struct MetricReport {
  int64_t requests = 0;
  int64_t connections = 0;
  int64_t rss_bytes = 0;
  int64_t loop_lag_us = 0;
  int64_t accepted = 0;  // connections taken since start (accepted, or handed over by the primary)
};
// {"type":"METRIC","requests":R,"connections":C,"rss_bytes":B,"loop_lag_us":L,"accepted":A}
MessageBuilder MetricMessage(const MetricReport& report);
// `previous` updated with the fields of a METRIC body. A worker's numbers are untrusted: each
// is clamped to [0, 2^40] so no sum over 65536 workers overflows; an absent or mistyped field
// keeps its previous value.
MetricReport ReadMetric(const simdjson::dom::object& body, MetricReport previous);

// CLUSTER_METRICS: the primary's aggregate of every worker's METRIC, and its bus counters.
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
  MetricReport report;
};
// {"type":"CLUSTER_METRICS","workers":[{"slot":S,"pid":P,...}],"total":{...},"bus":{...}},
// workers in pid order. Workers keep it as received (GET /metrics serves it), so there is no
// reader.
std::string ClusterMetricsMessage(const std::map<int, WorkerMetrics>& by_pid,
                                  const BusTotals& bus);

// CONFIG_UPDATE. A worker's request carries only "config"; the primary's broadcast adds the
// "version" it assigned. `config_json` must be one JSON object (minified).
std::string ConfigUpdateRequest(std::string_view config_json);
std::string ConfigUpdateMessage(std::string_view config_json, int64_t version);
struct ConfigUpdate {
  std::string config;              // minified
  std::optional<int64_t> version;  // absent in a worker's request
};
// InvalidArgument when the body has no "config" object.
absl::StatusOr<ConfigUpdate> ReadConfigUpdate(const Envelope& message);

}  // namespace ringleader
