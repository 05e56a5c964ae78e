// Unit tests for PrometheusText (cluster/prometheus.h): the exact text for a small fleet, and a
// strict reader of the text exposition format 0.0.4 that the output must pass — hostile label
// values included, which it must give back unchanged.
#include "cluster/prometheus.h"

#include <gtest/gtest.h>

#include <charconv>
#include <initializer_list>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ringleader {
namespace {

// ---- A strict reader of the exposition format ----------------------------------------------

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family → counter, gauge, ...
  std::map<std::string, std::string> helps;  // family → help text (escapes kept)
  std::vector<Sample> samples;               // in order

  // The samples of `name` whose labels include every pair of `match`.
  std::vector<Sample> Find(const std::string& name,
                           const std::map<std::string, std::string>& match = {}) const {
    std::vector<Sample> found;
    for (const Sample& s : samples) {
      if (s.name != name) continue;
      bool all = true;
      for (const auto& [label, value] : match) {
        auto it = s.labels.find(label);
        all = all && it != s.labels.end() && it->second == value;
      }
      if (all) found.push_back(s);
    }
    return found;
  }
};

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsMetricName(std::string_view name) {
  if (name.empty() || !IsNameStart(name.front())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, not starting with the reserved "__".
bool IsLabelName(std::string_view name) {
  return IsMetricName(name) && name.find(':') == std::string_view::npos &&
         !name.starts_with("__");
}

// Takes the longest prefix of `line` made of name characters.
std::string_view TakeName(std::string_view& line) {
  size_t n = 0;
  while (n < line.size() && IsNameChar(line[n])) ++n;
  std::string_view name = line.substr(0, n);
  line.remove_prefix(n);
  return name;
}

absl::StatusOr<double> ParseValue(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return absl::InvalidArgumentError("bad value '" + std::string(text) + "'");
  }
  return value;
}

// `{name="value",...}` at the front of `line`, consumed; escapes \\ \" \n only.
absl::Status ParseLabels(std::string_view& line, std::map<std::string, std::string>& labels) {
  line.remove_prefix(1);  // '{'
  while (true) {
    const std::string label(TakeName(line));
    if (!IsLabelName(label)) return absl::InvalidArgumentError("bad label name '" + label + "'");
    if (!line.starts_with("=\"")) return absl::InvalidArgumentError("expected =\" after label");
    line.remove_prefix(2);
    std::string value;
    while (true) {
      if (line.empty()) return absl::InvalidArgumentError("unterminated label value");
      const char c = line.front();
      line.remove_prefix(1);
      if (c == '"') break;
      if (c != '\\') {
        value += c;
        continue;
      }
      if (line.empty()) return absl::InvalidArgumentError("lone backslash");
      const char e = line.front();
      line.remove_prefix(1);
      if (e == '\\' || e == '"') {
        value += e;
      } else if (e == 'n') {
        value += '\n';
      } else {
        return absl::InvalidArgumentError(std::string("bad escape \\") + e);
      }
    }
    if (!labels.emplace(label, value).second) {
      return absl::InvalidArgumentError("label '" + label + "' twice");
    }
    if (line.starts_with("}")) {
      line.remove_prefix(1);
      return absl::OkStatus();
    }
    if (!line.starts_with(",")) return absl::InvalidArgumentError("expected , or }");
    line.remove_prefix(1);
  }
}

// Accepts only: `# HELP name text`, `# TYPE name type` (once each per family, TYPE before the
// family's samples), other `#` comments, and samples `name{labels} value` grouped right after
// their family's TYPE line; every line ends in '\n'; no blank lines, no timestamps, no series
// twice.
absl::StatusOr<Exposition> ParseExposition(std::string_view text) {
  if (!text.empty() && !text.ends_with('\n')) return absl::InvalidArgumentError("no final \\n");
  Exposition out;
  std::string family;  // the family the last TYPE line opened
  std::set<std::string> series;
  std::set<std::string> sampled;  // families with samples so far
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    const auto error = [&](const std::string& what) {
      return absl::InvalidArgumentError("line " + std::to_string(line_no) + ": " + what + ": " +
                                        std::string(line));
    };
    if (line.empty()) return error("blank line");
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const bool is_type = line.starts_with("# TYPE ");
      std::string_view rest = line.substr(7);
      const std::string name(TakeName(rest));
      if (!IsMetricName(name) || !rest.starts_with(" ")) return error("bad family name");
      rest.remove_prefix(1);
      if (is_type) {
        static const std::set<std::string_view> kTypes = {"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
        if (!kTypes.contains(rest)) return error("bad type");
        if (out.types.contains(name)) return error("second TYPE");
        if (sampled.contains(name)) return error("TYPE after samples");
        out.types[name] = std::string(rest);
        family = name;
      } else {
        for (size_t i = 0; i < rest.size(); ++i) {
          if (rest[i] == '\\' && (i + 1 == rest.size() || (rest[i + 1] != '\\' &&
                                                           rest[i + 1] != 'n'))) {
            return error("bad escape in HELP");
          }
          if (rest[i] == '\\') ++i;
        }
        if (!out.helps.emplace(name, std::string(rest)).second) return error("second HELP");
      }
      continue;
    }
    if (line.starts_with("#")) continue;  // a plain comment

    Sample sample;
    sample.name = std::string(TakeName(line));
    if (!IsMetricName(sample.name)) return error("bad metric name");
    if (sample.name != family) return error("sample outside its family's TYPE group");
    if (line.starts_with("{")) {
      if (absl::Status s = ParseLabels(line, sample.labels); !s.ok()) {
        return error(std::string(s.message()));
      }
    }
    if (!line.starts_with(" ")) return error("expected one space before the value");
    line.remove_prefix(1);
    absl::StatusOr<double> value = ParseValue(line);
    if (!value.ok()) return error(std::string(value.status().message()));
    sample.value = *value;

    std::string key = sample.name;
    for (const auto& [label, v] : sample.labels) key += "\x1f" + label + "\x1e" + v;
    if (!series.insert(key).second) return error("series twice");
    sampled.insert(sample.name);
    out.samples.push_back(std::move(sample));
  }
  return out;
}

// ---- The reader itself: it refuses what the format refuses ---------------------------------

TEST(ExpositionReaderTest, RefusesMalformedText) {
  const std::string head = "# HELP m h\n# TYPE m gauge\n";
  EXPECT_TRUE(ParseExposition(head + "m{a=\"x\\\"y\"} 1\n").ok());
  for (const std::string& bad : std::initializer_list<std::string>{
           head + "m 1",                           // no final newline
           "m 1\n",                                // no TYPE
           head + "n 1\n",                          // another family's sample in m's group
           head + "m 1\nm 2\n",                     // the same series twice
           head + "m{a=\"1\",a=\"2\"} 1\n",        // a label twice
           head + "m{1a=\"x\"} 1\n",               // bad label name
           head + "m{__a=\"x\"} 1\n",              // reserved label name
           head + "m{a=\"x\"y\"} 1\n",             // unescaped quote
           head + "m{a=\"x\\t\"} 1\n",             // unknown escape
           head + "m{a=\"x\"} one\n",              // bad value
           head + "m{a=\"x\"} 1 1700000000\n",     // timestamp (we never write one)
           head + "# TYPE m counter\nm 1\n",       // second TYPE
           head + "\nm 1\n",                        // blank line
       }) {
    EXPECT_FALSE(ParseExposition(bad).ok()) << bad;
  }
}

// ---- PrometheusText ------------------------------------------------------------------------

ClusterStatus Small() {
  ClusterStatus status{.primary_pid = 100,
                       .uptime_s = 61.257,
                       .sched = "reuseport",
                       .target_workers = 2,
                       .bus_routed = 40,
                       .bus_dropped = 1};
  status.workers.push_back({.slot = 0,
                            .pid = 101,
                            .state = "listening",
                            .requests = 1200,
                            .connections = 3,
                            .rss_bytes = 10485760,
                            .cpu_percent = 12.5});
  status.workers.push_back({.slot = 1,
                            .pid = 103,
                            .state = "online",
                            .requests = 5,
                            .connections = 0,
                            .rss_bytes = 8192,
                            .cpu_percent = 150});
  status.restarts_by_cause = {{"crash", 1}};
  status.transitions = {{"forking->online", 3}, {"online->listening", 2}};
  return status;
}

TEST(PrometheusTextTest, SmallGolden) {
  EXPECT_EQ(PrometheusText(Small()),
            R"(# HELP ringleader_requests_total Requests served, summed over the workers alive now (each since it started).
# TYPE ringleader_requests_total counter
ringleader_requests_total 1205
# HELP ringleader_connections Connections open, summed over the workers.
# TYPE ringleader_connections gauge
ringleader_connections 3
# HELP ringleader_workers Workers in each lifecycle state.
# TYPE ringleader_workers gauge
ringleader_workers{state="forking"} 0
ringleader_workers{state="online"} 1
ringleader_workers{state="listening"} 1
ringleader_workers{state="draining"} 0
ringleader_workers{state="dead"} 0
# HELP ringleader_restarts_total Workers replaced since the primary started, by cause.
# TYPE ringleader_restarts_total counter
ringleader_restarts_total{cause="crash"} 1
# HELP ringleader_lifecycle_transitions_total Worker lifecycle transitions since the primary started.
# TYPE ringleader_lifecycle_transitions_total counter
ringleader_lifecycle_transitions_total{from="forking",to="online"} 3
ringleader_lifecycle_transitions_total{from="online",to="listening"} 2
# HELP ringleader_bus_messages_routed_total Bus messages the primary routed between workers.
# TYPE ringleader_bus_messages_routed_total counter
ringleader_bus_messages_routed_total 40
# HELP ringleader_bus_messages_dropped_total Bus messages the primary dropped, for any reason.
# TYPE ringleader_bus_messages_dropped_total counter
ringleader_bus_messages_dropped_total 1
# HELP ringleader_target_workers Worker slots the fleet keeps.
# TYPE ringleader_target_workers gauge
ringleader_target_workers 2
# HELP ringleader_primary_uptime_seconds Seconds since the primary started.
# TYPE ringleader_primary_uptime_seconds gauge
ringleader_primary_uptime_seconds 61.26
# HELP ringleader_worker_requests_total Requests served by the worker since it started.
# TYPE ringleader_worker_requests_total counter
ringleader_worker_requests_total{slot="0",pid="101"} 1200
ringleader_worker_requests_total{slot="1",pid="103"} 5
# HELP ringleader_worker_connections Connections open on the worker.
# TYPE ringleader_worker_connections gauge
ringleader_worker_connections{slot="0",pid="101"} 3
ringleader_worker_connections{slot="1",pid="103"} 0
# HELP ringleader_worker_resident_memory_bytes Resident set size of the worker process.
# TYPE ringleader_worker_resident_memory_bytes gauge
ringleader_worker_resident_memory_bytes{slot="0",pid="101"} 10485760
ringleader_worker_resident_memory_bytes{slot="1",pid="103"} 8192
# HELP ringleader_worker_cpu_ratio CPU time of the worker per second of wall time over the last status interval (1 = one core).
# TYPE ringleader_worker_cpu_ratio gauge
ringleader_worker_cpu_ratio{slot="0",pid="101"} 0.125
ringleader_worker_cpu_ratio{slot="1",pid="103"} 1.5
# HELP ringleader_worker_state The worker's lifecycle state: 1 on the series labelled with it.
# TYPE ringleader_worker_state gauge
ringleader_worker_state{slot="0",pid="101",state="listening"} 1
ringleader_worker_state{slot="1",pid="103",state="online"} 1
)");
}

TEST(PrometheusTextTest, EveryFamilyHasHelpAndTypeEvenWithoutSamples) {
  absl::StatusOr<Exposition> parsed = ParseExposition(PrometheusText(ClusterStatus{}));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->types.size(), 14u);
  EXPECT_EQ(parsed->helps.size(), parsed->types.size());
  EXPECT_EQ(parsed->Find("ringleader_workers").size(), 5u);  // every state, at 0
  EXPECT_TRUE(parsed->Find("ringleader_worker_state").empty());
}

TEST(PrometheusTextTest, HostileLabelValuesSurviveTheStrictReader) {
  const std::string hostile = "say \"hi\" \\ back\nslash";
  ClusterStatus status = Small();
  status.restarts_by_cause[hostile] = 3;
  status.transitions["on\"e->t\\w\no"] = 4;
  status.transitions["no arrow"] = 5;
  status.workers[1].state = hostile;
  const std::string text = PrometheusText(status);

  absl::StatusOr<Exposition> parsed = ParseExposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  for (const Sample& s : parsed->samples) {
    EXPECT_TRUE(parsed->types.contains(s.name)) << s.name;
    EXPECT_TRUE(s.name.starts_with("ringleader_")) << s.name;
  }

  std::vector<Sample> restarts = parsed->Find("ringleader_restarts_total", {{"cause", hostile}});
  ASSERT_EQ(restarts.size(), 1u);
  EXPECT_EQ(restarts[0].value, 3);

  std::vector<Sample> odd =
      parsed->Find("ringleader_lifecycle_transitions_total", {{"from", "on\"e"}});
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd[0].labels.at("to"), "t\\w\no");
  EXPECT_EQ(odd[0].value, 4);
  std::vector<Sample> no_arrow =
      parsed->Find("ringleader_lifecycle_transitions_total", {{"from", "no arrow"}, {"to", ""}});
  ASSERT_EQ(no_arrow.size(), 1u);
  EXPECT_EQ(no_arrow[0].value, 5);

  // A state the lifecycle does not name is counted under its own label, after the five.
  std::vector<Sample> states = parsed->Find("ringleader_workers");
  ASSERT_EQ(states.size(), 6u);
  EXPECT_EQ(states.back().labels.at("state"), hostile);
  EXPECT_EQ(states.back().value, 1);
  EXPECT_EQ(parsed->Find("ringleader_workers", {{"state", "online"}}).at(0).value, 0);
  std::vector<Sample> worker =
      parsed->Find("ringleader_worker_state", {{"slot", "1"}, {"pid", "103"}});
  ASSERT_EQ(worker.size(), 1u);
  EXPECT_EQ(worker[0].labels.at("state"), hostile);
}

TEST(PrometheusTextTest, OddDoublesUseTheFormatsSpellings) {
  ClusterStatus status = Small();
  status.uptime_s = std::numeric_limits<double>::infinity();
  status.workers[0].cpu_percent = std::numeric_limits<double>::quiet_NaN();
  status.workers[1].cpu_percent = -0.0001;
  const std::string text = PrometheusText(status);
  EXPECT_NE(text.find("ringleader_primary_uptime_seconds +Inf\n"), std::string::npos);
  EXPECT_NE(text.find("ringleader_worker_cpu_ratio{slot=\"0\",pid=\"101\"} NaN\n"),
            std::string::npos);
  EXPECT_NE(text.find("ringleader_worker_cpu_ratio{slot=\"1\",pid=\"103\"} 0\n"),
            std::string::npos);
  EXPECT_TRUE(ParseExposition(text).ok());
}

TEST(EscapePrometheusLabelValueTest, EscapesBackslashQuoteNewlineOnly) {
  EXPECT_EQ(EscapePrometheusLabelValue("a\\b\"c\nd\te"), "a\\\\b\\\"c\\nd\te");
}

}  // namespace
}  // namespace ringleader
