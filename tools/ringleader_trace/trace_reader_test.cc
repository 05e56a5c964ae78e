// Unit tests for TraceReader: line numbers, bad lines, truncated files, opening errors.
#include "tools/ringleader_trace/trace_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tools/ringleader_trace/test_records.h"

namespace ringleader::trace_tool {
namespace {

using ::testing::HasSubstr;

std::vector<TraceLine> ReadAll(const std::string& text) {
  std::istringstream in(text);
  TraceReader reader(in);
  std::vector<TraceLine> lines;
  while (auto line = reader.Next()) lines.push_back(*std::move(line));
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  return lines;
}

std::string ThreeLines() {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start");
  return t.Text();
}

TEST(TraceReaderTest, NumbersLinesFromOne) {
  const auto lines = ReadAll(ThreeLines());
  ASSERT_EQ(lines.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lines[static_cast<size_t>(i)].number, i + 1);
    EXPECT_TRUE(lines[static_cast<size_t>(i)].record.ok());
  }
  EXPECT_EQ(lines[2].record->to, WorkerState::kListening);
}

TEST(TraceReaderTest, EmptyInputHasNoLines) { EXPECT_TRUE(ReadAll("").empty()); }

TEST(TraceReaderTest, ABadLineIsReportedAndReadingGoesOn) {
  std::string text = ThreeLines();
  text.insert(text.find('\n') + 1, "garbage\n\n");
  const auto lines = ReadAll(text);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_FALSE(lines[1].record.ok());
  EXPECT_EQ(lines[1].number, 2);
  EXPECT_THAT(std::string(lines[1].record.status().message()), HasSubstr("not valid JSON"));
  EXPECT_FALSE(lines[2].record.ok());  // the empty line
  EXPECT_TRUE(lines[3].record.ok());
  EXPECT_EQ(lines[4].number, 5);
}

TEST(TraceReaderTest, ACutLastLineIsTruncation) {
  std::string text = ThreeLines();
  text.resize(text.size() - 20);
  const auto lines = ReadAll(text);
  ASSERT_EQ(lines.size(), 3u);
  ASSERT_FALSE(lines[2].record.ok());
  EXPECT_THAT(std::string(lines[2].record.status().message()), HasSubstr("truncated"));
}

TEST(TraceReaderTest, AWholeLastLineWithoutNewlineIsFine) {
  std::string text = ThreeLines();
  text.pop_back();
  const auto lines = ReadAll(text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[2].record.ok());
}

TEST(TraceReaderTest, OpenErrorsNameThePath) {
  auto missing = OpenTraceInput("/nonexistent/ringleader.trace");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("/nonexistent/ringleader.trace"));
  auto directory = OpenTraceInput("/tmp");
  ASSERT_FALSE(directory.ok());
  EXPECT_THAT(std::string(directory.status().message()), HasSubstr("directory"));
  EXPECT_TRUE(OpenTraceInput("-").ok());
}

}  // namespace
}  // namespace ringleader::trace_tool
