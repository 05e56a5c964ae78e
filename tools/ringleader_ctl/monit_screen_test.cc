// Unit tests for tools/ringleader_ctl/monit_screen.h: the screen as golden text at each size.
#include "tools/ringleader_ctl/monit_screen.h"

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tools/ringleader_ctl/reply.h"
#include "tools/ringleader_ctl/test_replies.h"

namespace ringleader::ctl {
namespace {

MonitView SampleView() {
  MonitView view;
  view.control_path = "/run/user/0/ringleader-3000.sock";
  view.status = *ParseStatusReply(kSampleStatus);
  for (int i = 0; i < 10; ++i) {
    view.events.push_back("05:03:0" + std::to_string(i) + " slot 3 gen 4 pid 4304 event " +
                          std::to_string(i));
  }
  return view;
}

std::string Screen(const MonitView& view, int rows, int cols) {
  return absl::StrJoin(RenderMonit(view, rows, cols), "\n") + "\n";
}

TEST(MonitScreenTest, Bars) {
  EXPECT_EQ(Bar(0, 4), "[....]");
  EXPECT_EQ(Bar(0.5, 4), "[##..]");
  EXPECT_EQ(Bar(2, 4), "[####]");
  EXPECT_EQ(Bar(-1, 4), "[....]");
}

TEST(MonitScreenTest, FullScreenGolden) {
  EXPECT_EQ(
      Screen(SampleView(), 24, 100),
      "ringleader monit  /run/user/0/ringleader-3000.sock                                          "
      " q quits\n"
      "primary pid 4242, sched reuseport, 4 workers, up 2h, rolling restart in progress\n"
      "\n"
      "slot   pid  state      uptime  req/s  conns  cpu                  mem\n"
      "   0  4250  listening     12s  121.4      3  [#.........]  12.5%  [#########.]  45.2 MiB\n"
      "   1  4244  listening      2h  118.9      2  [#.........]  11.0%  [##########]  49.0 MiB\n"
      "   2  4245  draining       2h    0.0      1  [..........]   0.4%  [##########]  48.0 MiB\n"
      "   3  4251  online         0s    0.0      0  [#########.]  87.0%  [##........]   9.0 MiB\n"
      "\n"
      "recent lifecycle events\n"
      "05:03:02 slot 3 gen 4 pid 4304 event 2\n"
      "05:03:03 slot 3 gen 4 pid 4304 event 3\n"
      "05:03:04 slot 3 gen 4 pid 4304 event 4\n"
      "05:03:05 slot 3 gen 4 pid 4304 event 5\n"
      "05:03:06 slot 3 gen 4 pid 4304 event 6\n"
      "05:03:07 slot 3 gen 4 pid 4304 event 7\n"
      "05:03:08 slot 3 gen 4 pid 4304 event 8\n"
      "05:03:09 slot 3 gen 4 pid 4304 event 9\n"
      "\n"
      "\n"
      "\n"
      "\n"
      "\n"
      "\n");
}

TEST(MonitScreenTest, ExactlyTheTerminalsSize) {
  for (int rows : {1, 2, 5, 10, 24, 60}) {
    for (int cols : {10, 40, 80, 200}) {
      const std::vector<std::string> lines = RenderMonit(SampleView(), rows, cols);
      ASSERT_EQ(lines.size(), static_cast<size_t>(rows));
      for (const std::string& line : lines) EXPECT_LE(line.size(), static_cast<size_t>(cols));
    }
  }
}

TEST(MonitScreenTest, ShortScreensKeepWorkersAndCountTheRest) {
  EXPECT_EQ(
      Screen(SampleView(), 8, 100),
      "ringleader monit  /run/user/0/ringleader-3000.sock                                          "
      " q quits\n"
      "primary pid 4242, sched reuseport, 4 workers, up 2h, rolling restart in progress\n"
      "\n"
      "slot   pid  state      uptime  req/s  conns  cpu                  mem\n"
      "   0  4250  listening     12s  121.4      3  [#.........]  12.5%  [#########.]  45.2 MiB\n"
      "   1  4244  listening      2h  118.9      2  [#.........]  11.0%  [##########]  49.0 MiB\n"
      "... and 2 more\n"
      "\n");
}

TEST(MonitScreenTest, BeforeTheFirstStatusAndWithAProblem) {
  MonitView view{.control_path = "/tmp/x.sock",
                 .problem =
                     "no ringleader is listening on /tmp/x.sock (is it running with "
                     "--port=3000?)"};
  EXPECT_EQ(Screen(view, 8, 60),
            "ringleader monit  /tmp/x.sock                        q quits\n"
            "waiting for the first status...\n"
            "\n"
            "recent lifecycle events\n"
            "(none yet)\n"
            "\n"
            "\n"
            "no ringleader is listening on /tmp/x.sock (is it running wit\n");
}

}  // namespace
}  // namespace ringleader::ctl
