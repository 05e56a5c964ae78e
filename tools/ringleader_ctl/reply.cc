// Reply parsing with simdjson's DOM API (the whole reply is validated, not only what is read).
#include "tools/ringleader_ctl/reply.h"

#include <simdjson.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader::ctl {
namespace {

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed reply from the server: ", Absl(what)));
}

absl::Status MissingField(std::string_view object, std::string_view key) {
  return Malformed(
      absl::StrCat(Absl(object), " field \"", Absl(key), "\" missing or of the wrong type"));
}

// Parses `line` into `doc` and checks "ok": OK only for {"ok":true,...}.
absl::Status ParseEnvelope(simdjson::dom::parser& parser, std::string_view line,
                           simdjson::dom::object& doc) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  simdjson::dom::element root;
  if (parser.parse(line.data(), line.size()).get(root) != simdjson::SUCCESS) {
    return Malformed("not JSON");
  }
  if (root.get_object().get(doc) != simdjson::SUCCESS) return Malformed("not a JSON object");
  bool ok = false;
  if (doc["ok"].get_bool().get(ok) != simdjson::SUCCESS) return MissingField("reply", "ok");
  if (ok) return absl::OkStatus();
  std::string_view error;
  if (doc["error"].get_string().get(error) != simdjson::SUCCESS || error.empty()) {
    return absl::FailedPreconditionError("the server refused without saying why");
  }
  return absl::FailedPreconditionError(std::string(error));
}

// Numbers may come as integers or doubles (uptime 12 vs 12.5); both read as double.
bool GetNumber(simdjson::dom::object& obj, const char* key, double& out) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return false;
  return e.get_double().get(out) == simdjson::SUCCESS;
}

bool GetInt(simdjson::dom::object& obj, const char* key, int64_t& out) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return false;
  if (e.get_int64().get(out) == simdjson::SUCCESS) return true;
  uint64_t u = 0;
  if (e.get_uint64().get(u) != simdjson::SUCCESS) return false;
  out = static_cast<int64_t>(u);
  return true;
}

std::optional<int64_t> OptionalInt(simdjson::dom::object& obj, const char* key) {
  int64_t value = 0;
  if (!GetInt(obj, key, value)) return std::nullopt;
  return value;
}

absl::StatusOr<WorkerStatus> ParseWorker(simdjson::dom::object& w) {
  WorkerStatus s;
  int64_t slot = 0, pid = 0, gen = 0;
  std::string_view state;
  if (!GetInt(w, "slot", slot)) return MissingField("worker", "slot");
  if (!GetInt(w, "pid", pid)) return MissingField("worker", "pid");
  if (!GetInt(w, "generation", gen)) return MissingField("worker", "generation");
  if (w["state"].get_string().get(state) != simdjson::SUCCESS) {
    return MissingField("worker", "state");
  }
  if (!GetNumber(w, "uptime_s", s.uptime_s)) return MissingField("worker", "uptime_s");
  if (!GetInt(w, "restarts", s.restarts)) return MissingField("worker", "restarts");
  if (!GetInt(w, "requests", s.requests)) return MissingField("worker", "requests");
  if (!GetNumber(w, "rps", s.requests_per_s)) return MissingField("worker", "rps");
  if (!GetInt(w, "connections", s.connections)) return MissingField("worker", "connections");
  if (!GetInt(w, "rss_bytes", s.rss_bytes)) return MissingField("worker", "rss_bytes");
  if (!GetNumber(w, "cpu_percent", s.cpu_percent)) return MissingField("worker", "cpu_percent");
  std::string_view status_text;  // optional: only programs that send STATUS= have one
  if (w["status"].get_string().get(status_text) == simdjson::SUCCESS) {
    s.status_text = std::string(status_text);
  }
  s.slot = static_cast<int>(slot);
  s.pid = static_cast<pid_t>(pid);
  s.generation = static_cast<uint32_t>(gen);
  s.state = std::string(state);
  return s;
}

}  // namespace

bool IsServerError(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition;
}

absl::StatusOr<Reply> ParseReply(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (absl::Status s = ParseEnvelope(parser, line, doc); !s.ok()) return s;
  return Reply{.workers = OptionalInt(doc, "workers"), .delivered = OptionalInt(doc, "delivered")};
}

absl::StatusOr<ClusterStatus> ParseStatusReply(std::string_view line) {
  simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (absl::Status s = ParseEnvelope(parser, line, doc); !s.ok()) return s;
  ClusterStatus status;
  simdjson::dom::object primary;
  if (doc["primary"].get_object().get(primary) != simdjson::SUCCESS) {
    return MissingField("reply", "primary");
  }
  int64_t pid = 0, workers = 0;
  std::string_view sched;
  if (!GetInt(primary, "pid", pid)) return MissingField("primary", "pid");
  if (!GetNumber(primary, "uptime_s", status.uptime_s)) return MissingField("primary", "uptime_s");
  if (primary["sched"].get_string().get(sched) != simdjson::SUCCESS) {
    return MissingField("primary", "sched");
  }
  if (!GetInt(primary, "workers", workers)) return MissingField("primary", "workers");
  if (primary["rollout"].get_bool().get(status.rollout_in_progress) != simdjson::SUCCESS) {
    return MissingField("primary", "rollout");
  }
  status.primary_pid = static_cast<pid_t>(pid);
  status.sched = std::string(sched);
  status.target_workers = static_cast<int>(workers);
  simdjson::dom::array list;
  if (doc["workers"].get_array().get(list) != simdjson::SUCCESS) {
    return MissingField("reply", "workers");
  }
  for (simdjson::dom::element e : list) {
    simdjson::dom::object w;
    if (e.get_object().get(w) != simdjson::SUCCESS) return Malformed("a worker is not an object");
    absl::StatusOr<WorkerStatus> worker = ParseWorker(w);
    if (!worker.ok()) return worker.status();
    status.workers.push_back(*std::move(worker));
  }
  return status;
}

}  // namespace ringleader::ctl
