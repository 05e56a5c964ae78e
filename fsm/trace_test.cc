// Unit tests for fsm/trace.h: trace lines are single JSON lines that parse back to the record.
#include "fsm/trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>

namespace ringleader {
namespace {

using testing::HasSubstr;

TraceRecord SampleRecord() {
  TraceRecord r;
  r.t_ns = 81234;
  r.slot = 3;
  r.generation = 2;
  r.pid = 4242;
  r.from = WorkerState::kOnline;
  r.to = WorkerState::kListening;
  r.event = WorkerEvent::kListeningMessage;
  r.cause = "";
  return r;
}

void ExpectSameRecord(const TraceRecord& got, const TraceRecord& want) {
  EXPECT_EQ(got.t_ns, want.t_ns);
  EXPECT_EQ(got.slot, want.slot);
  EXPECT_EQ(got.generation, want.generation);
  EXPECT_EQ(got.pid, want.pid);
  EXPECT_EQ(got.from, want.from);
  EXPECT_EQ(got.to, want.to);
  EXPECT_EQ(got.event, want.event);
  EXPECT_EQ(got.cause, want.cause);
}

// Parses with simdjson's DOM API (independent of the on-demand reader under test).
simdjson::dom::element ParseDom(simdjson::dom::parser& parser, const std::string& line) {
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(line).get(root), simdjson::SUCCESS) << line;
  return root;
}

TEST(FormatTraceLineTest, IsOneLineOfValidJson) {
  const std::string line = FormatTraceLine(SampleRecord());
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);

  simdjson::dom::parser parser;
  simdjson::dom::element root = ParseDom(parser, line);
  int64_t t_ns = 0, slot = 0, gen = 0, pid = 0;
  std::string_view from, to, event, cause;
  ASSERT_EQ(root["t_ns"].get(t_ns), simdjson::SUCCESS);
  ASSERT_EQ(root["slot"].get(slot), simdjson::SUCCESS);
  ASSERT_EQ(root["gen"].get(gen), simdjson::SUCCESS);
  ASSERT_EQ(root["pid"].get(pid), simdjson::SUCCESS);
  ASSERT_EQ(root["from"].get(from), simdjson::SUCCESS);
  ASSERT_EQ(root["to"].get(to), simdjson::SUCCESS);
  ASSERT_EQ(root["event"].get(event), simdjson::SUCCESS);
  ASSERT_EQ(root["cause"].get(cause), simdjson::SUCCESS);
  EXPECT_EQ(t_ns, 81234);
  EXPECT_EQ(slot, 3);
  EXPECT_EQ(gen, 2);
  EXPECT_EQ(pid, 4242);
  EXPECT_EQ(from, "online");
  EXPECT_EQ(to, "listening");
  EXPECT_EQ(event, "listening_message");
  EXPECT_EQ(cause, "");
}

TEST(FormatTraceLineTest, MatchesDocumentedLayout) {
  EXPECT_EQ(FormatTraceLine(SampleRecord()),
            "{\"t_ns\":81234,\"slot\":3,\"gen\":2,\"pid\":4242,\"from\":\"online\","
            "\"to\":\"listening\",\"event\":\"listening_message\",\"cause\":\"\"}\n");
}

TEST(FormatTraceLineTest, BirthHasNullFrom) {
  TraceRecord birth = SampleRecord();
  birth.from = std::nullopt;
  birth.to = WorkerState::kForking;
  birth.event = WorkerEvent::kForked;
  const std::string line = FormatTraceLine(birth);
  EXPECT_THAT(line, HasSubstr("\"from\":null"));
  simdjson::dom::parser parser;
  simdjson::dom::element root = ParseDom(parser, line);
  simdjson::dom::element from;
  ASSERT_EQ(root["from"].get(from), simdjson::SUCCESS);
  EXPECT_TRUE(from.is_null());
}

TEST(FormatTraceLineTest, CauseWithNewlineStaysOnOneLine) {
  TraceRecord r = SampleRecord();
  r.cause = "line one\nline two\r\n";
  const std::string line = FormatTraceLine(r);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_EQ(line.back(), '\n');
}

TEST(ParseTraceLineTest, RoundTripsEveryField) {
  TraceRecord r;
  r.t_ns = 9'000'000'000'123;  // beyond 32 bits
  r.slot = 15;
  r.generation = 4'000'000'000u;  // beyond int32
  r.pid = 2'000'000;
  r.from = WorkerState::kDraining;
  r.to = WorkerState::kDead;
  r.event = WorkerEvent::kExited;
  r.cause = "SIGKILL";
  auto parsed = ParseTraceLine(FormatTraceLine(r));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ExpectSameRecord(*parsed, r);
}

TEST(ParseTraceLineTest, RoundTripsEscapedCause) {
  TraceRecord r = SampleRecord();
  r.cause = "quote \" backslash \\ slash / newline \n tab \t cr \r ctl \x01\x1f unicode \xc3\xa9";
  const std::string line = FormatTraceLine(r);
  auto parsed = ParseTraceLine(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << " for " << line;
  EXPECT_EQ(parsed->cause, r.cause);
}

TEST(ParseTraceLineTest, RoundTripsBirthAndEveryStateAndEvent) {
  for (int s = 0; s < kWorkerStateCount; ++s) {
    for (int e = 0; e < kWorkerEventCount; ++e) {
      TraceRecord r = SampleRecord();
      r.from = s == 0 ? std::nullopt : std::optional<WorkerState>(static_cast<WorkerState>(s - 1));
      r.to = static_cast<WorkerState>(s);
      r.event = static_cast<WorkerEvent>(e);
      auto parsed = ParseTraceLine(FormatTraceLine(r));
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      ExpectSameRecord(*parsed, r);
    }
  }
}

TEST(ParseTraceLineTest, AcceptsLineWithoutNewlineAndWithCrLf) {
  std::string line = FormatTraceLine(SampleRecord());
  line.pop_back();
  ASSERT_TRUE(ParseTraceLine(line).ok());
  ASSERT_TRUE(ParseTraceLine(line + "\r\n").ok());
}

TEST(ParseTraceLineTest, AcceptsFieldsInAnyOrder) {
  auto parsed = ParseTraceLine(
      R"({"cause":"x","event":"exited","to":"dead","from":"listening",)"
      R"("pid":9,"gen":1,"slot":2,"t_ns":5})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->t_ns, 5);
  EXPECT_EQ(parsed->slot, 2);
  EXPECT_EQ(parsed->generation, 1u);
  EXPECT_EQ(parsed->pid, 9);
  EXPECT_EQ(parsed->from, WorkerState::kListening);
  EXPECT_EQ(parsed->to, WorkerState::kDead);
  EXPECT_EQ(parsed->event, WorkerEvent::kExited);
  EXPECT_EQ(parsed->cause, "x");
}

void ExpectInvalid(std::string_view line) {
  auto parsed = ParseTraceLine(line);
  ASSERT_FALSE(parsed.ok()) << "accepted: " << line;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << line;
  EXPECT_FALSE(parsed.status().message().empty());
}

TEST(ParseTraceLineTest, RejectsNonJson) {
  ExpectInvalid("");
  ExpectInvalid("\n");
  ExpectInvalid("hello");
  ExpectInvalid("{");
  ExpectInvalid("[1,2,3]");
  ExpectInvalid("42");
  ExpectInvalid("\"string\"");
  ExpectInvalid("{\"t_ns\":1,");
}

// Malformed JSON around well-formed fields. simdjson's on-demand API validates only what it
// visits, so ParseTraceLine accepts these today: see the bug report in the review
// (fsm/trace.cc). Enable once the parser validates the whole line.
TEST(ParseTraceLineTest, RejectsMalformedJsonAroundValidFields) {
  std::string line = FormatTraceLine(SampleRecord());
  line.pop_back();  // newline
  line.pop_back();  // closing brace
  for (std::string_view tail : {",}", " \"x\"}", ",\"x\":]}", "}}"}) {
    SCOPED_TRACE(tail);
    ExpectInvalid(line + std::string(tail));
  }
}

// A complete line with one field's text replaced.
std::string With(std::string_view field, std::string_view json_value) {
  const std::string fields[][2] = {{"t_ns", "1"},        {"slot", "0"},
                                   {"gen", "1"},         {"pid", "100"},
                                   {"from", "\"online\""}, {"to", "\"listening\""},
                                   {"event", "\"listening_message\""}, {"cause", "\"\""}};
  std::string out = "{";
  for (const auto& f : fields) {
    const bool replaced = f[0] == field;
    if (replaced && json_value.empty()) continue;  // empty: drop the field
    if (out.size() > 1) out += ",";
    out += "\"" + f[0] + "\":" + (replaced ? std::string(json_value) : f[1]);
  }
  return out + "}";
}

TEST(ParseTraceLineTest, BaselineOfTheFieldHelperParses) {
  ASSERT_TRUE(ParseTraceLine(With("none", "")).ok()) << With("none", "");
}

TEST(ParseTraceLineTest, RejectsMissingFields) {
  for (std::string_view field : {"t_ns", "slot", "gen", "pid", "from", "to", "event", "cause"}) {
    SCOPED_TRACE(field);
    ExpectInvalid(With(field, ""));
    auto parsed = ParseTraceLine(With(field, ""));
    if (!parsed.ok()) EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(field));
  }
}

TEST(ParseTraceLineTest, RejectsUnknownState) {
  ExpectInvalid(With("to", "\"zombie\""));
  ExpectInvalid(With("from", "\"zombie\""));
  ExpectInvalid(With("to", "\"Online\""));
  auto parsed = ParseTraceLine(With("to", "\"zombie\""));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("zombie"));
}

TEST(ParseTraceLineTest, RejectsUnknownEvent) {
  ExpectInvalid(With("event", "\"rebooted\""));
  ExpectInvalid(With("event", "\"online\""));  // a state name is not an event
  auto parsed = ParseTraceLine(With("event", "\"rebooted\""));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("rebooted"));
}

TEST(ParseTraceLineTest, RejectsWrongTypes) {
  ExpectInvalid(With("t_ns", "\"1\""));
  ExpectInvalid(With("t_ns", "1.5"));
  ExpectInvalid(With("slot", "\"0\""));
  ExpectInvalid(With("gen", "true"));
  ExpectInvalid(With("pid", "null"));
  ExpectInvalid(With("from", "3"));
  ExpectInvalid(With("from", "false"));
  ExpectInvalid(With("to", "null"));
  ExpectInvalid(With("to", "1"));
  ExpectInvalid(With("event", "[]"));
  ExpectInvalid(With("cause", "7"));
  ExpectInvalid(With("cause", "null"));
}

}  // namespace
}  // namespace ringleader
