// MessageReader (validation and envelope) and MessageBuilder.
#include "ipc/message.h"

#include "absl/strings/str_cat.h"
#include "core/json_escape.h"

namespace ringleader {

absl::StatusOr<Envelope> MessageReader::Read(std::string_view payload) {
  // DOM parsing validates the whole message (on-demand would let `{"type":"x",}` through); the
  // parser copies into its own padded buffer and keeps its capacity between messages.
  simdjson::dom::element doc;
  if (parser_.parse(payload.data(), payload.size()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message is not valid JSON");
  }
  Envelope e;
  e.raw = payload;
  if (doc.get_object().get(e.body) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message is not a JSON object");
  }
  if (e.body["type"].get_string().get(e.type) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("message has no string \"type\"");
  }
  simdjson::dom::element to;
  if (e.body["to"].get(to) == simdjson::SUCCESS) {
    std::string_view all;
    int64_t slot = -1;
    if (to.get_string().get(all) == simdjson::SUCCESS && all == "all") {
      e.to = Destination::kAllOthers;
    } else if (to.get_int64().get(slot) == simdjson::SUCCESS && slot >= 0 && slot < 65536) {
      e.to = Destination::kSlot;
      e.to_slot = static_cast<int>(slot);
    } else {
      return absl::InvalidArgumentError("\"to\" must be a slot number or \"all\"");
    }
  }
  int64_t from = -1;
  if (e.body["from"].get_int64().get(from) == simdjson::SUCCESS) {
    if (from < 0 || from >= 65536) return absl::InvalidArgumentError("bad \"from\"");
    e.from = static_cast<int>(from);
  }
  return e;
}

absl::StatusOr<std::string_view> MessageReader::ReadType(std::string_view payload) {
  auto e = Read(payload);
  if (!e.ok()) return e.status();
  type_.assign(e->type);
  return std::string_view(type_);
}

MessageBuilder::MessageBuilder(std::string_view type) {
  out_ = "{\"type\":";
  AppendJsonString(out_, type);
}

void MessageBuilder::Key(std::string_view key) {
  out_ += ',';
  AppendJsonString(out_, key);
  out_ += ':';
}

MessageBuilder& MessageBuilder::To(int slot) { return Add("to", slot); }
MessageBuilder& MessageBuilder::ToAll() { return AddString("to", "all"); }
MessageBuilder& MessageBuilder::From(int slot) { return Add("from", slot); }

MessageBuilder& MessageBuilder::Add(std::string_view key, int64_t value) {
  Key(key);
  absl::StrAppend(&out_, value);
  return *this;
}

MessageBuilder& MessageBuilder::AddString(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(out_, value);
  return *this;
}

MessageBuilder& MessageBuilder::AddRaw(std::string_view key, std::string_view json) {
  Key(key);
  out_ += json;
  return *this;
}

std::string MessageBuilder::Build() {
  out_ += '}';
  return std::move(out_);
}

std::string MakeMessage(std::string_view type) { return MessageBuilder(type).Build(); }

}  // namespace ringleader
