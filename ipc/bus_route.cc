// Routing check and sender stamping for worker-written messages.
#include "ipc/bus_route.h"

#include "absl/strings/str_cat.h"
#include "core/json_escape.h"
#include "ipc/bus_protocol.h"

namespace ringleader {

absl::Status CheckRoute(const Envelope& envelope, int sender_slot) {
  if (envelope.from != -1 && envelope.from != sender_slot) {
    return absl::PermissionDeniedError("\"from\" is not the sender's slot");
  }
  // A worker may still send CONFIG_UPDATE to the primary (no "to"): that asks the primary to
  // broadcast it, stamped with a new version.
  if (envelope.to != Destination::kPrimary && IsPrimaryOnlyType(envelope.type)) {
    return absl::PermissionDeniedError(
        "only the primary may send CONFIG_UPDATE and CLUSTER_METRICS to workers");
  }
  return absl::OkStatus();
}

std::optional<std::string> RestampSender(const Envelope& envelope, int sender_slot) {
  int from_keys = 0;
  for (const auto field : envelope.body) from_keys += field.key == "from" ? 1 : 0;
  if (from_keys == 1 && envelope.from == sender_slot) return std::nullopt;
  std::string out = "{";
  for (const auto field : envelope.body) {
    if (field.key == "from") continue;
    AppendJsonString(out, field.key);
    out += ':';
    out += simdjson::minify(field.value);
    out += ',';
  }
  absl::StrAppend(&out, "\"from\":", sender_slot, "}");
  return out;
}

}  // namespace ringleader
