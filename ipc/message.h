// Messages on the channel are JSON objects with a string "type". MessageReader checks that shape
// with simdjson (validating the whole message), reusing one parser for every message.
//
//   MessageReader reader;
//   absl::StatusOr<std::string_view> type = reader.ReadType(payload);
//   if (!type.ok()) CountBadMessage(type.status());
//   else if (*type == "listening") ...
//
// Built-in types (worker → primary): "online", "listening". Their wire text comes from
// MakeMessage() so nobody hand-writes JSON envelopes.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ringleader {

class MessageReader {
 public:
  // The "type" of the JSON object in `payload`. The view lives until the next call.
  absl::StatusOr<std::string_view> ReadType(std::string_view payload);

 private:
  simdjson::dom::parser parser_;
  std::string type_;
};

// {"type":"<type>"} with no other fields.
std::string MakeMessage(std::string_view type);

}  // namespace ringleader
