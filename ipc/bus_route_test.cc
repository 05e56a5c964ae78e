// Unit tests for ipc/message.h envelopes (to, from) and ipc/bus_route.h routing checks.
#include "ipc/bus_route.h"

#include <gtest/gtest.h>

#include "ipc/message.h"

namespace ringleader {
namespace {

TEST(EnvelopeTest, NoToMeansThePrimary) {
  MessageReader reader;
  auto e = reader.Read(R"({"type":"METRIC","requests":3})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, "METRIC");
  EXPECT_EQ(e->to, Destination::kPrimary);
  EXPECT_EQ(e->from, -1);
  int64_t n = 0;
  EXPECT_EQ(e->body["requests"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 3);
}

TEST(EnvelopeTest, ToSlotAndToAll) {
  MessageReader reader;
  auto slot = reader.Read(R"({"type":"N","to":4,"from":1})");
  ASSERT_TRUE(slot.ok());
  EXPECT_EQ(slot->to, Destination::kSlot);
  EXPECT_EQ(slot->to_slot, 4);
  EXPECT_EQ(slot->from, 1);
  auto all = reader.Read(R"({"type":"N","to":"all","from":0})");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->to, Destination::kAllOthers);
}

TEST(EnvelopeTest, BadDestinationsAndSendersAreRejected) {
  MessageReader reader;
  for (const char* bad : {R"({"type":"N","to":-1})", R"({"type":"N","to":"some"})",
                          R"({"type":"N","to":1.5})", R"({"type":"N","to":null})",
                          R"({"type":"N","from":-2})", R"({"type":"N","to":70000})"}) {
    EXPECT_FALSE(reader.Read(bad).ok()) << bad;
  }
}

TEST(MessageBuilderTest, BuildsWhatTheReaderReads) {
  const std::string wire = MessageBuilder("NOTE")
                               .To(2)
                               .From(0)
                               .Add("n", -5)
                               .AddString("text", "a \"quoted\"\nline")
                               .AddRaw("obj", R"({"k":[1,2]})")
                               .Build();
  MessageReader reader;
  auto e = reader.Read(wire);
  ASSERT_TRUE(e.ok()) << e.status() << " " << wire;
  EXPECT_EQ(e->to_slot, 2);
  EXPECT_EQ(e->from, 0);
  std::string_view text;
  ASSERT_EQ(e->body["text"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "a \"quoted\"\nline");
  int64_t n = 0;
  ASSERT_EQ(e->body["n"].get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, -5);
  EXPECT_EQ(MessageBuilder("X").ToAll().Build(), R"({"type":"X","to":"all"})");
}

Envelope Parse(MessageReader& reader, const char* json) {
  auto e = reader.Read(json);
  EXPECT_TRUE(e.ok()) << json;
  return *e;
}

TEST(CheckRouteTest, EveryDestinationIsAllowed) {
  MessageReader reader;
  EXPECT_TRUE(CheckRoute(Parse(reader, R"({"type":"M"})"), 0).ok());
  const Envelope one = Parse(reader, R"({"type":"M","to":3,"from":1})");
  EXPECT_TRUE(CheckRoute(one, 1).ok());
  EXPECT_EQ(one.to, Destination::kSlot);
  EXPECT_EQ(one.to_slot, 3);
  EXPECT_TRUE(CheckRoute(Parse(reader, R"({"type":"M","to":1,"from":1})"), 1).ok())
      << "a worker may message itself";
  EXPECT_TRUE(CheckRoute(Parse(reader, R"({"type":"M","to":"all","from":2})"), 2).ok());
}

TEST(CheckRouteTest, SpoofedSenderIsDropped) {
  MessageReader reader;
  const absl::Status r = CheckRoute(Parse(reader, R"({"type":"M","to":0,"from":5})"), 1);
  EXPECT_EQ(r.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(r.message().empty());
  // Without "from" the primary's own view of the sender is used: not spoofing.
  EXPECT_TRUE(CheckRoute(Parse(reader, R"({"type":"M","to":0})"), 1).ok());
}

TEST(CheckRouteTest, OnlyThePrimaryIssuesConfigUpdates) {
  MessageReader reader;
  // The message from issue 9, and the same to one slot, with or without a claimed sender.
  for (const char* raw : {R"({"type":"CONFIG_UPDATE","to":"all","config":{"x":1}})",
                          R"({"type":"CONFIG_UPDATE","to":0,"config":{"x":1},"version":3})",
                          R"({"type":"CONFIG_UPDATE","to":"all","from":1,"config":{}})",
                          R"({"type":"CLUSTER_METRICS","to":"all","workers":[]})"}) {
    const absl::Status r = CheckRoute(Parse(reader, raw), 1);
    EXPECT_EQ(r.code(), absl::StatusCode::kPermissionDenied) << raw;
    EXPECT_NE(r.message().find("only the primary"), std::string_view::npos) << raw;
  }
  // Asking the primary for a broadcast is the legitimate way.
  EXPECT_TRUE(CheckRoute(Parse(reader, R"({"type":"CONFIG_UPDATE","config":{"x":1}})"), 1).ok());
}

TEST(RestampSenderTest, ForwardsUnchangedWhenTheSenderIsNamedOnce) {
  MessageReader reader;
  EXPECT_EQ(RestampSender(Parse(reader, R"({"type":"M","to":"all","from":2,"d":1})"), 2),
            std::nullopt);
}

TEST(RestampSenderTest, StampsTheTrueSenderOverWhateverWasWritten) {
  MessageReader reader;
  for (const char* raw : {R"({"type":"M","to":"all","d":"x"})",
                          R"({"type":"M","to":"all","from":"primary","d":"x"})",
                          R"({"type":"M","to":"all","from":3,"from":0,"d":"x"})",
                          R"({"type":"M","to":"all","from":3.0,"d":"x"})"}) {
    const std::optional<std::string> out = RestampSender(Parse(reader, raw), 3);
    ASSERT_TRUE(out.has_value()) << raw;
    MessageReader again;
    const Envelope e = Parse(again, out->c_str());
    EXPECT_EQ(e.from, 3) << *out;
    EXPECT_EQ(e.type, "M");
    EXPECT_EQ(e.to, Destination::kAllOthers);
    std::string_view d;
    ASSERT_EQ(e.body["d"].get(d), simdjson::SUCCESS) << *out;
    EXPECT_EQ(d, "x");
    EXPECT_EQ(out->find("primary"), std::string::npos) << *out;
    EXPECT_EQ(out->find("\"from\":", out->find("\"from\":") + 1), std::string::npos)
        << "exactly one \"from\": " << *out;
  }
}

}  // namespace
}  // namespace ringleader
