// MessageReader (envelope validation with simdjson) and envelope construction.
#include "ipc/message.h"

#include "absl/strings/str_cat.h"
#include "core/json_escape.h"

namespace ringleader {

absl::StatusOr<std::string_view> MessageReader::ReadType(std::string_view payload) {
  // The DOM parser validates the whole document (on-demand would only check what it reads,
  // letting `{"type":"online",}` through); it copies into its own padded buffer.
  simdjson::dom::element doc;
  if (parser_.parse(payload.data(), payload.size()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message is not valid JSON");
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message is not a JSON object");
  }
  std::string_view type;
  if (object["type"].get_string().get(type) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message has no string \"type\"");
  }
  type_.assign(type);
  return std::string_view(type_);
}

std::string MakeMessage(std::string_view type) {
  std::string out = "{\"type\":";
  AppendJsonString(out, type);
  out += "}";
  return out;
}

}  // namespace ringleader
