// Writing and reading trace lines. Reading uses simdjson's DOM API, which validates the whole
// line (the on-demand API checks only what it visits).
#include "fsm/trace.h"

#include <simdjson.h>

#include <cstdint>

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

absl::Status Invalid(std::string what) { return absl::InvalidArgumentError(std::move(what)); }

absl::Status MissingField(const char* key) {
  return Invalid(std::string("field \"") + key + "\" missing or of the wrong type");
}

}  // namespace

struct TraceParser::Impl {
  simdjson::dom::parser parser;
};

TraceParser::TraceParser() : impl_(std::make_unique<Impl>()) {}
TraceParser::~TraceParser() = default;
TraceParser::TraceParser(TraceParser&&) noexcept = default;
TraceParser& TraceParser::operator=(TraceParser&&) noexcept = default;

absl::StatusOr<TraceRecord> ParseTraceLine(std::string_view line) {
  return TraceParser().Parse(line);
}

absl::StatusOr<TraceRecord> TraceParser::Parse(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty()) return Invalid("empty line");
  // The parser copies the line into its own padded buffer, reused from call to call.
  simdjson::dom::parser& parser = impl_->parser;
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) {
    return Invalid("not valid JSON");
  }
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return Invalid("not a JSON object");
  TraceRecord r;
  int64_t slot = 0, gen = 0, pid = 0;
  std::string_view to, event, cause;
  if (obj["t_ns"].get_int64().get(r.t_ns) != simdjson::SUCCESS) return MissingField("t_ns");
  if (obj["slot"].get_int64().get(slot) != simdjson::SUCCESS) return MissingField("slot");
  if (obj["gen"].get_int64().get(gen) != simdjson::SUCCESS) return MissingField("gen");
  if (obj["pid"].get_int64().get(pid) != simdjson::SUCCESS) return MissingField("pid");
  // CLOCK_MONOTONIC is never negative, and 2^62 ns is 146 years of uptime: anything outside is
  // hostile, and bounding it keeps every difference of two times from overflowing.
  if (r.t_ns < 0 || r.t_ns > (int64_t{1} << 62)) return Invalid("t_ns out of range");
  if (slot < 0 || slot > INT32_MAX || gen < 0 || gen > UINT32_MAX || pid < 0 || pid > INT32_MAX) {
    return Invalid("slot, gen or pid out of range");
  }
  simdjson::dom::element from;
  if (obj["from"].get(from) != simdjson::SUCCESS) return MissingField("from");
  if (!from.is_null()) {
    std::string_view name;
    if (from.get_string().get(name) != simdjson::SUCCESS) return MissingField("from");
    r.from = ParseState(name);
    if (!r.from) return Invalid("unknown state \"" + std::string(name) + "\"");
  }
  if (obj["to"].get_string().get(to) != simdjson::SUCCESS) return MissingField("to");
  const auto to_state = ParseState(to);
  if (!to_state) return Invalid("unknown state \"" + std::string(to) + "\"");
  r.to = *to_state;
  if (obj["event"].get_string().get(event) != simdjson::SUCCESS) return MissingField("event");
  const auto ev = ParseEvent(event);
  if (!ev) return Invalid("unknown event \"" + std::string(event) + "\"");
  r.event = *ev;
  if (obj["cause"].get_string().get(cause) != simdjson::SUCCESS) return MissingField("cause");
  r.cause = std::string(cause);
  r.slot = static_cast<int>(slot);
  r.generation = static_cast<uint32_t>(gen);
  r.pid = static_cast<int>(pid);
  return r;
}

}  // namespace ringleader
