// Writing and reading trace lines. Reading uses simdjson's on-demand API.
#include "fsm/trace.h"

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "core/json_escape.h"

namespace ringleader {

std::string FormatTraceLine(const TraceRecord& r) {
  std::string out;
  out.reserve(160 + r.cause.size());
  absl::StrAppend(&out, "{\"t_ns\":", r.t_ns, ",\"slot\":", r.slot, ",\"gen\":", r.generation,
                  ",\"pid\":", r.pid, ",\"from\":");
  if (r.from.has_value()) {
    AppendJsonString(out, StateName(*r.from));
  } else {
    out += "null";
  }
  out += ",\"to\":";
  AppendJsonString(out, StateName(r.to));
  out += ",\"event\":";
  AppendJsonString(out, EventName(r.event));
  out += ",\"cause\":";
  AppendJsonString(out, r.cause);
  out += "}\n";
  return out;
}

namespace {

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

template <typename T>
absl::Status Field(simdjson::ondemand::object& obj, const char* key, T& out) {
  if (obj.find_field_unordered(key).get(out) != simdjson::SUCCESS) {
    return Invalid(absl::StrCat("field \"", key, "\" missing or of the wrong type"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TraceRecord> ParseTraceLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty()) return Invalid("empty line");
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(obj) != simdjson::SUCCESS) {
    return Invalid("not a JSON object");
  }
  TraceRecord r;
  int64_t slot = 0, gen = 0, pid = 0;
  std::string_view to, event, cause;
  if (auto s = Field(obj, "t_ns", r.t_ns); !s.ok()) return s;
  if (auto s = Field(obj, "slot", slot); !s.ok()) return s;
  if (auto s = Field(obj, "gen", gen); !s.ok()) return s;
  if (auto s = Field(obj, "pid", pid); !s.ok()) return s;
  simdjson::ondemand::value from_value;
  if (obj.find_field_unordered("from").get(from_value) != simdjson::SUCCESS) {
    return Invalid("field \"from\" missing");
  }
  bool from_is_null = false;
  if (from_value.is_null().get(from_is_null) != simdjson::SUCCESS) return Invalid("bad \"from\"");
  if (!from_is_null) {
    std::string_view from;
    if (from_value.get_string().get(from) != simdjson::SUCCESS) return Invalid("bad \"from\"");
    r.from = ParseState(from);
    if (!r.from) return Invalid("unknown state \"" + std::string(from) + "\"");
  }
  if (auto s = Field(obj, "to", to); !s.ok()) return s;
  auto to_state = ParseState(to);
  if (!to_state) return Invalid("unknown state \"" + std::string(to) + "\"");
  r.to = *to_state;
  if (auto s = Field(obj, "event", event); !s.ok()) return s;
  auto ev = ParseEvent(event);
  if (!ev) return Invalid("unknown event \"" + std::string(event) + "\"");
  r.event = *ev;
  if (auto s = Field(obj, "cause", cause); !s.ok()) return s;
  r.cause = std::string(cause);
  r.slot = static_cast<int>(slot);
  r.generation = static_cast<uint32_t>(gen);
  r.pid = static_cast<int>(pid);
  return r;
}

}  // namespace ringleader
