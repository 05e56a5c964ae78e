// Unit tests for the ringleader-trace command line.
#include "tools/ringleader_trace/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ringleader::trace_tool {
namespace {

using ::testing::HasSubstr;

TEST(OptionsTest, AFileAloneMeansTheTimeline) {
  auto o = ParseOptions({"deploy.trace"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->input, "deploy.trace");
  EXPECT_TRUE(o->timeline());
  EXPECT_FALSE(o->follow());
}

TEST(OptionsTest, DashIsStdinAndFollows) {
  auto o = ParseOptions({"-"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->follow());
}

TEST(OptionsTest, ModesCombineInAnyOrder) {
  auto o = ParseOptions({"--summary", "x.trace", "--check", "--svg", "out.svg"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->check);
  EXPECT_TRUE(o->summary);
  EXPECT_EQ(o->svg_path, "out.svg");
  EXPECT_FALSE(o->timeline());
  auto eq = ParseOptions({"--svg=a.svg", "x.trace"});
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(eq->svg_path, "a.svg");
}

TEST(OptionsTest, AlivePids) {
  auto o = ParseOptions({"--check", "--alive=12,34", "x"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->alive, (std::set<int>{12, 34}));
  auto running = ParseOptions({"--check", "--alive=running", "x"});
  ASSERT_TRUE(running.ok());
  EXPECT_TRUE(running->alive_running);
}

TEST(OptionsTest, DoubleDashEndsOptions) {
  auto o = ParseOptions({"--", "--weird-name.trace"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->input, "--weird-name.trace");
}

TEST(OptionsTest, HelpNeedsNoFile) {
  auto o = ParseOptions({"--help"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->help);
}

void ExpectError(const std::vector<std::string>& args, const std::string& says) {
  auto o = ParseOptions(args);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(o.status().message()), HasSubstr(says));
}

TEST(OptionsTest, Errors) {
  ExpectError({}, "no trace given");
  ExpectError({"a", "b"}, "one trace at a time");
  ExpectError({"--frobnicate", "a"}, "unknown option '--frobnicate'");
  ExpectError({"a", "--svg"}, "--svg needs a file name");
  ExpectError({"a", "--svg="}, "--svg needs a file name");
  ExpectError({"--check", "--alive=12,x", "a"}, "not a pid: 'x'");
  ExpectError({"--check", "--alive=-3", "a"}, "not a pid");
  ExpectError({"--alive=12", "a"}, "only means something with --check");
}

}  // namespace
}  // namespace ringleader::trace_tool
