// Unit tests for the SVG timeline: one row per worker generation, escaped text, the parts a
// reader needs (legend, axis, rollout bands). Well-formedness is checked with xmllint in
// golden_test.cc.
#include "tools/ringleader_trace/svg.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/ringleader_trace/test_records.h"

namespace ringleader::trace_tool {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(SvgTest, OneRowPerWorkerGeneration) {
  TraceScript t;
  for (int i = 0; i < 8; ++i) t.Start(0, i, 1, 100 + i, "start");
  for (int i = 0; i < 8; ++i) {
    t.Start(1000 + 100 * i, i, 2, 200 + i, "rolling restart");
    t.Drain(1016 + 100 * i, i, 1, 100 + i,
            "rolling restart: replaced by pid " + std::to_string(200 + i));
  }
  const std::string svg = RenderSvg(t.model(), FindRollouts(t.model()));
  EXPECT_THAT(svg, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
  EXPECT_THAT(svg, HasSubstr("</svg>\n"));
  EXPECT_EQ(Count(svg, "<g class=\"row\""), 16);
  EXPECT_THAT(svg, HasSubstr("data-slot=\"7\" data-gen=\"2\" data-pid=\"207\""));
  EXPECT_EQ(Count(svg, "class=\"rollout\""), 1);
  for (const char* label : {"forking", "online", "listening", "draining", "rolling restart", "exit",
                            "crash/kill", "timeout", "workers listening", "0.0 s"}) {
    EXPECT_THAT(svg, HasSubstr(label));
  }
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, Not(HasSubstr("href")));  // self-contained
}

TEST(SvgTest, EscapesFreeText) {
  TraceScript t;
  t.Start(0, 0, 1, 100, "start")
      .Step(10, 0, 1, 100, WorkerState::kDraining, WorkerEvent::kDrainRequested, "a<b & \"c\"")
      .Step(11, 0, 1, 100, WorkerState::kDead, WorkerEvent::kExited, "code 0");
  const std::string svg = RenderSvg(t.model(), {});
  EXPECT_THAT(svg, HasSubstr("a&lt;b &amp; &quot;c&quot;"));
  EXPECT_THAT(svg, Not(HasSubstr("a<b")));
}

TEST(SvgTest, AnEmptyTraceIsStillAPicture) {
  const std::string svg = RenderSvg(TraceModel{}, {});
  EXPECT_THAT(svg, HasSubstr("</svg>"));
  EXPECT_EQ(Count(svg, "<g class=\"row\""), 0);
}

}  // namespace
}  // namespace ringleader::trace_tool
