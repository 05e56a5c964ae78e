// Unit tests for tools/ringleader_ctl/options.h: command lines, usage errors, request lines.
#include "tools/ringleader_ctl/options.h"

#include "gtest/gtest.h"
#include "cluster/control_path.h"

namespace ringleader::ctl {
namespace {

absl::StatusOr<Options> Parse(std::vector<std::string> args) { return ParseOptions(args); }

std::string Error(std::vector<std::string> args) {
  absl::StatusOr<Options> o = ParseOptions(args);
  return o.ok() ? "(parsed)" : std::string(o.status().message());
}

TEST(OptionsTest, StatusOnTheDefaultPort) {
  absl::StatusOr<Options> o = Parse({"status"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->command, Command::kStatus);
  EXPECT_EQ(o->port, 3000);
  EXPECT_EQ(o->control_path, DefaultControlPath(3000));
  EXPECT_FALSE(o->control_given);
  EXPECT_FALSE(o->json);
  EXPECT_EQ(RequestLine(*o), "{\"cmd\":\"status\"}\n");
}

TEST(OptionsTest, PortAndControlInBothSpellingsAndPlaces) {
  absl::StatusOr<Options> o = Parse({"--port", "8080", "status", "--json"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->control_path, DefaultControlPath(8080));
  EXPECT_TRUE(o->json);
  o = Parse({"status", "--control=/tmp/x.sock", "--port=9"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->control_path, "/tmp/x.sock");  // --control wins; --port only names the hint
  EXPECT_TRUE(o->control_given);
  EXPECT_EQ(o->port, 9);
}

TEST(OptionsTest, ScaleCarriesItsCount) {
  absl::StatusOr<Options> o = Parse({"scale", "4"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->workers, 4);
  EXPECT_EQ(RequestLine(*o), "{\"cmd\":\"scale\",\"workers\":4}\n");
  EXPECT_EQ(Error({"scale"}), "scale needs a worker count");
  EXPECT_EQ(Error({"scale", "-1"}), "scale: not a number from 0 to 4096: '-1'");
  EXPECT_EQ(Error({"scale", "four"}), "scale: not a number from 0 to 4096: 'four'");
  EXPECT_EQ(Error({"scale", "2", "3"}), "unexpected argument '3'");
}

TEST(OptionsTest, SendMinifiesTheMessageAndAddsTheSlot) {
  absl::StatusOr<Options> o =
      Parse({"send", "{ \"type\": \"flush\",\n \"n\": [1, 2] }", "--to", "2"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(RequestLine(*o),
            "{\"cmd\":\"send\",\"message\":{\"type\":\"flush\",\"n\":[1,2]},\"to\":2}\n");
  o = Parse({"send", R"({"type":"x"})"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(RequestLine(*o), "{\"cmd\":\"send\",\"message\":{\"type\":\"x\"}}\n");
  EXPECT_EQ(Error({"send"}), "send needs a JSON message");
  EXPECT_EQ(Error({"send", "{oops"}), "send: the message is not valid JSON");
  EXPECT_EQ(Error({"send", "[1]"}),
            "send: the message must be a JSON object with a string \"type\"");
  EXPECT_EQ(Error({"send", R"({"kind":"x"})"}),
            "send: the message must be a JSON object with a string \"type\"");
  EXPECT_EQ(Error({"send", R"({"type":"x"})", "--to=x"}),
            "--to: not a number from 0 to 1048576: 'x'");
}

TEST(OptionsTest, TheOtherRequests) {
  EXPECT_EQ(RequestLine(*Parse({"reload"})), "{\"cmd\":\"reload\"}\n");
  EXPECT_EQ(RequestLine(*Parse({"stop"})), "{\"cmd\":\"stop\"}\n");
  absl::StatusOr<Options> trace = Parse({"trace", "--follow", "--json"});
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->follow);
  EXPECT_EQ(RequestLine(*trace), "{\"cmd\":\"trace\"}\n");
  EXPECT_EQ(Parse({"monit"})->command, Command::kMonit);
}

TEST(OptionsTest, HelpWinsOverEverythingElse) {
  EXPECT_EQ(Parse({"--help"})->command, Command::kHelp);
  EXPECT_EQ(Parse({"scale", "--help"})->command, Command::kHelp);
  EXPECT_EQ(Parse({"help"})->command, Command::kHelp);
}

TEST(OptionsTest, UsageErrorsNameTheArgument) {
  EXPECT_EQ(Error({}), "no command given");
  EXPECT_EQ(Error({"restart"}), "unknown command 'restart'");
  EXPECT_EQ(Error({"status", "--verbose"}), "unknown option '--verbose'");
  EXPECT_EQ(Error({"--port=0", "status"}), "--port: not a number from 1 to 65535: '0'");
  EXPECT_EQ(Error({"--port"}), "--port needs a value");
  EXPECT_EQ(Error({"--control=", "status"}), "--control needs a path");
  EXPECT_EQ(Error({"reload", "--json"}), "--json goes with status or trace");
  EXPECT_EQ(Error({"status", "--follow"}), "--follow goes with trace");
  EXPECT_EQ(Error({"status", "--to=1"}), "--to goes with send");
}

}  // namespace
}  // namespace ringleader::ctl
