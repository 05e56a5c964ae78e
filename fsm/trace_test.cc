// Unit tests for fsm/trace.h and fsm/trace_check.h: trace lines are single JSON lines that parse
// back to the record, with a one-off or a reused parser; the checker replays them.
#include "fsm/trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fsm/trace_check.h"

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

TEST(TraceParserTest, ReusedParserAgreesWithOneOffParsing) {
  TraceParser parser;
  for (int s = 0; s < kWorkerStateCount; ++s) {
    TraceRecord r = SampleRecord();
    r.to = static_cast<WorkerState>(s);
    r.cause = std::string(static_cast<size_t>(s) * 40, 'x');  // lines of growing length
    const std::string line = FormatTraceLine(r);
    auto reused = parser.Parse(line);
    ASSERT_TRUE(reused.ok()) << reused.status();
    ExpectSameRecord(*reused, r);
  }
  // A long line, then a short one: nothing of the long one leaks into the short one.
  TraceRecord shorter = SampleRecord();
  auto again = parser.Parse(FormatTraceLine(shorter));
  ASSERT_TRUE(again.ok());
  ExpectSameRecord(*again, shorter);
}

TEST(TraceParserTest, KeepsWorkingAfterBadLines) {
  TraceParser parser;
  EXPECT_FALSE(parser.Parse("{\"t_ns\":").ok());
  EXPECT_FALSE(parser.Parse(With("to", "\"zombie\"")).ok());
  EXPECT_FALSE(parser.Parse("").ok());
  auto good = parser.Parse(FormatTraceLine(SampleRecord()));
  ASSERT_TRUE(good.ok()) << good.status();
  ExpectSameRecord(*good, SampleRecord());
}

TEST(TraceParserTest, IsMovable) {
  TraceParser first;
  TraceParser second = std::move(first);
  EXPECT_TRUE(second.Parse(FormatTraceLine(SampleRecord())).ok());
}

// --- TraceChecker ---

TraceRecord Rec(int64_t t, int slot, uint32_t gen, int pid, std::optional<WorkerState> from,
                WorkerState to, WorkerEvent event, std::string cause = "") {
  return TraceRecord{t, slot, gen, pid, from, to, event, std::move(cause)};
}

using S = WorkerState;
using E = WorkerEvent;

// One worker's whole legal life, lines 1..5.
std::vector<TraceRecord> CleanLife(int slot = 0, uint32_t gen = 1, int pid = 100, int64_t t = 0) {
  return {Rec(t + 1, slot, gen, pid, std::nullopt, S::kForking, E::kForked, "start"),
          Rec(t + 2, slot, gen, pid, S::kForking, S::kOnline, E::kOnlineMessage),
          Rec(t + 3, slot, gen, pid, S::kOnline, S::kListening, E::kListeningMessage),
          Rec(t + 4, slot, gen, pid, S::kListening, S::kDraining, E::kDrainRequested, "x"),
          Rec(t + 5, slot, gen, pid, S::kDraining, S::kDead, E::kExited, "code 0")};
}

std::vector<TraceViolation> Check(const std::vector<TraceRecord>& records,
                                  const std::set<int>& alive = {}) {
  TraceChecker checker;
  int line = 0;
  for (const TraceRecord& r : records) checker.Add(++line, r);
  checker.Finish(alive);
  return checker.violations();
}

TEST(TraceCheckerTest, AcceptsACleanLife) { EXPECT_TRUE(Check(CleanLife()).empty()); }

TEST(TraceCheckerTest, ReportsASkippedStateOnTheLineAfterTheGap) {
  std::vector<TraceRecord> life = CleanLife();
  life.erase(life.begin() + 1);  // no online record: line 2 now moves from online
  const auto v = Check(life);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].line, 2);
  EXPECT_THAT(v[0].what, HasSubstr("moves from online but is in forking"));
}

TEST(TraceCheckerTest, ReportsAnIllegalStep) {
  std::vector<TraceRecord> life = CleanLife();
  life[1] = Rec(2, 0, 1, 100, S::kForking, S::kListening, E::kListeningMessage);
  const auto v = Check(life);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].line, 2);
  EXPECT_THAT(v[0].what, HasSubstr("illegal"));
}

TEST(TraceCheckerTest, ReportsTimeGoingBackwardsWithTheEarlierLine) {
  std::vector<TraceRecord> life = CleanLife();
  life[3].t_ns = 1;
  const auto v = Check(life);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].line, 4);
  EXPECT_THAT(v[0].what, HasSubstr("time goes backwards"));
  EXPECT_THAT(v[0].what, HasSubstr("line 3"));
}

TEST(TraceCheckerTest, ReportsUnreadableLines) {
  TraceChecker checker;
  checker.Add(7, absl::InvalidArgumentError("unknown state \"zombie\""));
  ASSERT_EQ(checker.violations().size(), 1u);
  EXPECT_EQ(checker.violations()[0].line, 7);
  EXPECT_THAT(checker.violations()[0].what, HasSubstr("zombie"));
}

TEST(TraceCheckerTest, AWorkerThatNeverDiesMustBeAlive) {
  std::vector<TraceRecord> life = CleanLife();
  life.pop_back();
  const auto v = Check(life);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].line, 4);
  EXPECT_THAT(v[0].what, HasSubstr("never dead"));
  EXPECT_TRUE(Check(life, {100}).empty());
}

TEST(TraceCheckerTest, OneGenerationOfASlotIsOneWorker) {
  std::vector<TraceRecord> records = CleanLife(0, 1, 100);
  records.push_back(Rec(10, 0, 1, 101, std::nullopt, S::kForking, E::kForked, "start"));
  const auto v = Check(records, {101});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].line, 6);
  EXPECT_THAT(v[0].what, HasSubstr("slot 0 gen 1 is already pid 100 (line 1)"));
}

TEST(TraceCheckerTest, GenerationsOnlyGrow) {
  std::vector<TraceRecord> records = CleanLife(0, 2, 100);
  for (const TraceRecord& r : CleanLife(0, 1, 101, 10)) records.push_back(r);
  const auto v = Check(records);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].line, 6);
  EXPECT_THAT(v[0].what, HasSubstr("generations only grow"));
}

TEST(TraceCheckerTest, APidIsNotAliveTwice) {
  std::vector<TraceRecord> records = {
      Rec(1, 0, 1, 100, std::nullopt, S::kForking, E::kForked, "start"),
      Rec(2, 1, 1, 100, std::nullopt, S::kForking, E::kForked, "start")};
  const auto v = Check(records, {100});
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].line, 2);
  EXPECT_THAT(v[0].what, HasSubstr("reborn while still alive"));
}

TEST(TraceCheckerTest, APidMayBeReusedAfterItsDeath) {
  std::vector<TraceRecord> records = CleanLife(0, 1, 100);
  for (const TraceRecord& r : CleanLife(0, 2, 100, 10)) records.push_back(r);
  EXPECT_TRUE(Check(records).empty());
}

TEST(TraceCheckerTest, NothingHappensToTheDead) {
  std::vector<TraceRecord> records = CleanLife();
  records.push_back(Rec(9, 0, 1, 100, S::kDead, S::kOnline, E::kOnlineMessage));
  const auto v = Check(records);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].line, 6);
}

TEST(TraceCheckerTest, ARecordWithoutBirth) {
  const auto v = Check({Rec(1, 0, 1, 100, S::kOnline, S::kListening, E::kListeningMessage)});
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].line, 1);
  EXPECT_THAT(v[0].what, HasSubstr("no birth record"));
}

TEST(ParseTraceLineTest, RejectsTimesThatCouldOverflowADifference) {
  const std::string base =
      R"(,"slot":0,"gen":1,"pid":2,"from":null,"to":"forking","event":"forked","cause":""})";
  EXPECT_FALSE(ParseTraceLine(R"({"t_ns":-1)" + base).ok());
  EXPECT_FALSE(ParseTraceLine(R"({"t_ns":9223372036854775807)" + base).ok());
  EXPECT_TRUE(ParseTraceLine(R"({"t_ns":4611686018427387904)" + base).ok()) << "2^62 is the edge";
}

}  // namespace
}  // namespace ringleader
