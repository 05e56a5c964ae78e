// MessageReader (envelope validation with simdjson) and envelope construction.
#include "ipc/message.h"

#include "absl/strings/str_cat.h"
#include "core/json_escape.h"

namespace ringleader {

absl::StatusOr<std::string_view> MessageReader::ReadType(std::string_view payload) {
  padded_.assign(payload);
  padded_.reserve(payload.size() + simdjson::SIMDJSON_PADDING);
  simdjson::padded_string_view input(padded_.data(), payload.size(), padded_.capacity());
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (parser_.iterate(input).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message is not a JSON object");
  }
  std::string_view type;
  if (object.find_field_unordered("type").get_string().get(type) != simdjson::SUCCESS) {
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
