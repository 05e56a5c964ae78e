// Unit tests for ipc/message.h: envelope validation (MessageReader) and construction (MakeMessage).
#include "ipc/message.h"

#include <gtest/gtest.h>

#include <string>

namespace ringleader {
namespace {

void ExpectType(MessageReader& reader, std::string_view payload, std::string_view type) {
  auto got = reader.ReadType(payload);
  ASSERT_TRUE(got.ok()) << payload << ": " << got.status();
  EXPECT_EQ(*got, type) << payload;
}

void ExpectRejected(MessageReader& reader, std::string_view payload) {
  auto got = reader.ReadType(payload);
  ASSERT_FALSE(got.ok()) << "accepted " << payload << " as type \"" << *got << "\"";
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << payload;
}

TEST(MessageReaderTest, ReadsTypeOfValidMessages) {
  MessageReader reader;
  ExpectType(reader, R"({"type":"online"})", "online");
  ExpectType(reader, R"({"type":"listening"})", "listening");
  ExpectType(reader, R"(  { "type" : "online" }  )", "online");
  ExpectType(reader, R"({"pid":12,"nested":{"type":"inner"},"type":"heartbeat","list":[1,2]})",
             "heartbeat");
  ExpectType(reader, R"({"type":""})", "");
}

TEST(MessageReaderTest, UnescapesType) {
  MessageReader reader;
  ExpectType(reader, R"({"type":"on\u006cine"})", "online");
  ExpectType(reader, R"({"type":"say \"hi\""})", "say \"hi\"");
}

TEST(MessageReaderTest, RejectsNonObjects) {
  MessageReader reader;
  for (std::string_view p : {R"(["type","online"])", R"("online")", "42", "null", "true"}) {
    SCOPED_TRACE(p);
    ExpectRejected(reader, p);
  }
}

TEST(MessageReaderTest, RejectsMissingType) {
  MessageReader reader;
  ExpectRejected(reader, "{}");
  ExpectRejected(reader, R"({"kind":"online"})");
  ExpectRejected(reader, R"({"Type":"online"})");
  ExpectRejected(reader, R"({"nested":{"type":"online"}})");
}

TEST(MessageReaderTest, RejectsNonStringType) {
  MessageReader reader;
  for (std::string_view p : {R"({"type":1})", R"({"type":null})", R"({"type":true})",
                             R"({"type":{"name":"online"}})", R"({"type":["online"]})"}) {
    SCOPED_TRACE(p);
    ExpectRejected(reader, p);
  }
}

TEST(MessageReaderTest, RejectsMalformedJson) {
  MessageReader reader;
  for (std::string_view p : {"", " ", "{", "}", R"({"type":"online")", R"({"type":"onl)",
                             R"({type:"online"})", R"({'type':'online'})",
                             R"({"type":"online"} trailing)", "\x01\x02"}) {
    SCOPED_TRACE(p);
    ExpectRejected(reader, p);
  }
}

// Malformed JSON whose "type" field itself is well formed. simdjson's on-demand API only
// validates what it visits, so ReadType accepts these today: see the bug report in the
// review (ipc/message.cc). Enable once MessageReader validates the whole document.
TEST(MessageReaderTest, RejectsMalformedJsonAroundAWellFormedType) {
  MessageReader reader;
  for (std::string_view p : {R"({"type":"online",})", R"({"type":"online" "x"})",
                             R"({"type":"online","x":})", R"({"x":],"type":"online"})",
                             R"({"type":"online","x":[1,}})"}) {
    SCOPED_TRACE(p);
    ExpectRejected(reader, p);
  }
}

TEST(MessageReaderTest, ReaderIsReusableAcrossSizes) {
  MessageReader reader;
  const std::string big =
      R"({"blob":")" + std::string(100 * 1024, 'x') + R"(","type":"big"})";
  ExpectType(reader, big, "big");
  ExpectType(reader, R"({"type":"s"})", "s");
  ExpectRejected(reader, "{");
  ExpectType(reader, big, "big");
  ExpectType(reader, R"({"type":"online"})", "online");
}

TEST(MessageReaderTest, TypeViewDoesNotAliasThePayload) {
  MessageReader reader;
  std::string payload = R"({"type":"online"})";
  auto type = reader.ReadType(payload);
  ASSERT_TRUE(type.ok());
  payload.assign(payload.size(), '#');  // the caller reuses its receive buffer
  EXPECT_EQ(*type, "online");
}

TEST(MakeMessageTest, BuildsTheEnvelope) {
  EXPECT_EQ(MakeMessage("online"), R"({"type":"online"})");
  EXPECT_EQ(MakeMessage("listening"), R"({"type":"listening"})");
  EXPECT_EQ(MakeMessage(""), R"({"type":""})");
}

TEST(MakeMessageTest, EscapesQuotesAndControlCharacters) {
  EXPECT_EQ(MakeMessage("a\"b"), R"({"type":"a\"b"})");
  EXPECT_EQ(MakeMessage("back\\slash"), R"({"type":"back\\slash"})");
  EXPECT_EQ(MakeMessage("new\nline"), R"({"type":"new\nline"})");
  EXPECT_EQ(MakeMessage(std::string_view("\x01", 1)), R"({"type":"\u0001"})");
}

TEST(MakeMessageTest, RoundTripsThroughReadType) {
  MessageReader reader;
  for (std::string_view type : {"online", "listening", "with \"quotes\"", "\\", "tab\there",
                                "}{\":,", "caf\xc3\xa9"}) {
    SCOPED_TRACE(type);
    ExpectType(reader, MakeMessage(type), type);
  }
}

}  // namespace
}  // namespace ringleader
