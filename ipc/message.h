// Bus messages: JSON objects with a string "type", and for worker-to-worker delivery a "to"
// (a slot number, or "all" for every other worker) and a "from" (the sender's slot). Messages
// without "to" are for the primary. MessageReader validates a payload once (simdjson DOM: the
// whole document, not only the fields read) and exposes its envelope; MessageBuilder writes one.
//
//   MessageReader reader;
//   absl::StatusOr<Envelope> e = reader.Read(payload);    // valid until the next Read
//   if (e.ok() && e->type == "METRIC") { int64_t n = 0; e->body["requests"].get(n); }
//
//   std::string wire = MessageBuilder("NOTE").To(2).From(0).AddString("text", "hi").Build();
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ringleader {

// Where a message goes: the primary (no "to"), one worker (to_slot), or every worker but the
// sender ("all"). Writers say it with MessageBuilder::To/ToAll; the primary routes on it.
enum class Destination { kPrimary, kSlot, kAllOthers };

struct Envelope {
  std::string_view type;
  Destination to = Destination::kPrimary;
  int to_slot = -1;
  // Sender's slot as written; -1 when absent. On what a worker receives the primary has stamped
  // it (ipc/bus_route.h RestampSender), so there -1 means the primary itself.
  int from = -1;
  simdjson::dom::object body;
  std::string_view raw;  // the whole payload as received, for forwarding unchanged
};

class MessageReader {
 public:
  absl::StatusOr<Envelope> Read(std::string_view payload);
  // Just the "type" (kept for callers that need nothing else).
  absl::StatusOr<std::string_view> ReadType(std::string_view payload);

 private:
  simdjson::dom::parser parser_;
  std::string type_;
};

class MessageBuilder {
 public:
  explicit MessageBuilder(std::string_view type);
  MessageBuilder& To(int slot);
  MessageBuilder& ToAll();
  MessageBuilder& From(int slot);
  MessageBuilder& Add(std::string_view key, int64_t value);
  MessageBuilder& AddString(std::string_view key, std::string_view value);
  // `json` must be one valid JSON value; it is inserted as is.
  MessageBuilder& AddRaw(std::string_view key, std::string_view json);
  // The finished message; the builder is spent afterwards.
  std::string Build();

 private:
  void Key(std::string_view key);
  std::string out_;
};

// {"type":"<type>"} with no other fields.
std::string MakeMessage(std::string_view type);

}  // namespace ringleader
