// Unit: the deployment files in tools/deploy, checked as files. The systemd units pass
// `systemd-analyze verify` and say what the primary needs (Type=notify, reload = SIGUSR2, a stop
// timeout above the drain timeout, a system call filter that keeps every call ringleader makes);
// the Kubernetes manifest has the shape a graceful drain needs; the seccomp profile is an
// allow list with io_uring in it. Checks whose tool is missing skip and say which package.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "simdjson.h"
#include "tests/support/test_process.h"
#include "tools/ringleader_trace/run_tool.h"

namespace ringleader::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using trace_tool::ReadFileOrEmpty;
using trace_tool::RunTool;

constexpr char kSystemdAnalyze[] = "/usr/bin/systemd-analyze";
constexpr char kPython[] = "/usr/bin/python3";

std::string DeployFile(const std::string& name) {
  const char* dir = std::getenv("RINGLEADER_SOURCE_DIR");
  return std::string(dir != nullptr ? dir : ".") + "/tools/deploy/" + name;
}

// Every value of `key=` in a unit file, in order (units may repeat a key).
std::vector<std::string> UnitValues(const std::string& unit, absl::string_view key) {
  std::vector<std::string> values;
  for (absl::string_view line : absl::StrSplit(unit, '\n')) {
    if (absl::ConsumePrefix(&line, key) && absl::ConsumePrefix(&line, "=")) {
      values.emplace_back(line);
    }
  }
  return values;
}

std::string UnitValue(const std::string& unit, absl::string_view key) {
  const std::vector<std::string> values = UnitValues(unit, key);
  return values.empty() ? std::string() : values.back();
}

// The value of --name=VALUE in a command line.
std::string FlagIn(absl::string_view command, absl::string_view name) {
  for (absl::string_view word : absl::StrSplit(command, ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&word, "--") && absl::ConsumePrefix(&word, name) &&
        absl::ConsumePrefix(&word, "=")) {
      return std::string(word);
    }
  }
  return {};
}

absl::Duration ParseDurationOrZero(const std::string& text) {
  absl::Duration d = absl::ZeroDuration();
  return absl::ParseDuration(text, &d) ? d : absl::ZeroDuration();
}

// The profile's allowed names, from tools/deploy/seccomp-io_uring.json.
std::set<std::string> ProfileNames() {
  simdjson::dom::parser parser;
  simdjson::dom::element profile;
  std::set<std::string> names;
  if (parser.load(DeployFile("seccomp-io_uring.json")).get(profile) != simdjson::SUCCESS) {
    return names;
  }
  for (simdjson::dom::element entry : profile["syscalls"].get_array()) {
    for (simdjson::dom::element name : entry["names"].get_array()) {
      names.emplace(std::string_view(name.get_string()));
    }
  }
  return names;
}

// The system calls in a systemd group such as @system-service, nested groups expanded.
void ExpandGroup(const std::string& group, std::set<std::string>& calls,
                 std::set<std::string> seen = {}) {
  if (!seen.insert(group).second) return;
  const auto listed = RunTool(kSystemdAnalyze, {"syscall-filter", group});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  for (absl::string_view line : absl::StrSplit(listed.out, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line == group) continue;
    if (line[0] == '@') {
      ExpandGroup(std::string(line), calls, seen);
    } else {
      calls.emplace(line);
    }
  }
}

TEST(SystemdUnits, PassSystemdAnalyzeVerify) {
  if (::access(kSystemdAnalyze, X_OK) != 0) {
    GTEST_SKIP() << "systemd-analyze is missing (Debian package systemd)";
  }
  // verify insists that ExecStart's program exists: point it at this build's binary, in a copy.
  char dir_template[] = "/tmp/ringleader-units-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string service = absl::StrReplaceAll(
      ReadFileOrEmpty(DeployFile("ringleader.service")),
      {{"ExecStart=/usr/bin/ringleader ", "ExecStart=" + BinaryPath("ringleader") + " "}});
  std::ofstream(dir + "/ringleader.service") << service;
  std::ofstream(dir + "/ringleader.socket") << ReadFileOrEmpty(DeployFile("ringleader.socket"));
  const auto result = RunTool(kSystemdAnalyze,
                              {"verify", "--man=no", dir + "/ringleader.socket",
                               dir + "/ringleader.service"},
                              "", absl::Seconds(60));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  // verify also reports units the host has; what it says about ours must be nothing.
  EXPECT_THAT(result.out + result.err, ::testing::Not(HasSubstr("ringleader.s"))) << result.err;
  std::filesystem::remove_all(dir);
}

TEST(SystemdUnits, ServiceSaysWhatThePrimaryNeeds) {
  const std::string unit = ReadFileOrEmpty(DeployFile("ringleader.service"));
  ASSERT_FALSE(unit.empty());
  EXPECT_EQ(UnitValue(unit, "Type"), "notify");  // READY=1, RELOADING=1, STOPPING=1
  EXPECT_EQ(UnitValue(unit, "NotifyAccess"), "main");
  EXPECT_EQ(UnitValue(unit, "ExecReload"), "/bin/kill -USR2 $MAINPID");
  EXPECT_EQ(UnitValue(unit, "KillSignal"), "SIGTERM");
  EXPECT_EQ(UnitValue(unit, "KillMode"), "mixed");  // SIGTERM to the primary alone
  EXPECT_EQ(UnitValue(unit, "Restart"), "on-failure");
  const std::string exec_start = UnitValue(unit, "ExecStart");
  EXPECT_TRUE(absl::StartsWith(exec_start, "/usr/bin/ringleader ")) << exec_start;
  // A .socket unit passes one socket: reuseport cannot serve it.
  EXPECT_THAT((std::vector<std::string>{"shared", "rr"}), Contains(FlagIn(exec_start, "sched")));
  EXPECT_TRUE(absl::StartsWith(FlagIn(exec_start, "control"), "/run/ringleader/"));
  EXPECT_EQ(UnitValue(unit, "RuntimeDirectory"), "ringleader");
  const absl::Duration drain = ParseDurationOrZero(FlagIn(exec_start, "drain_timeout"));
  const absl::Duration stop = ParseDurationOrZero(UnitValue(unit, "TimeoutStopSec"));
  EXPECT_GT(drain, absl::ZeroDuration());
  EXPECT_GT(stop, drain) << "systemd would SIGKILL a drain still in progress";
  int limit = 0;
  EXPECT_TRUE(absl::SimpleAtoi(UnitValue(unit, "LimitNOFILE"), &limit));
  EXPECT_GE(limit, 10000) << "--max_connections per worker needs the descriptors";
}

// The filter keeps io_uring and every call in the measured profile: a call it dropped would fail
// with EPERM inside the service, the way io_uring_setup fails under Docker's default profile.
TEST(SystemdUnits, SystemCallFilterKeepsEveryCallRingleaderMakes) {
  if (::access(kSystemdAnalyze, X_OK) != 0) {
    GTEST_SKIP() << "systemd-analyze is missing (Debian package systemd)";
  }
  const std::string unit = ReadFileOrEmpty(DeployFile("ringleader.service"));
  std::set<std::string> allowed;
  for (const std::string& value : UnitValues(unit, "SystemCallFilter")) {
    ASSERT_FALSE(absl::StartsWith(value, "~")) << "a deny list in the allow list: " << value;
    for (absl::string_view item : absl::StrSplit(value, ' ', absl::SkipEmpty())) {
      if (!absl::StartsWith(item, "@")) {
        allowed.emplace(item);
        continue;
      }
      ExpandGroup(std::string(item), allowed);
    }
  }
  for (const char* name : {"io_uring_setup", "io_uring_enter", "io_uring_register"}) {
    EXPECT_THAT(allowed, Contains(name));
  }
  const std::set<std::string> profile = ProfileNames();
  ASSERT_FALSE(profile.empty());
  for (const std::string& name : profile) EXPECT_THAT(allowed, Contains(name));
}

TEST(SystemdUnits, SocketPassesPort80ToTheService) {
  const std::string unit = ReadFileOrEmpty(DeployFile("ringleader.socket"));
  ASSERT_FALSE(unit.empty());
  EXPECT_EQ(UnitValue(unit, "ListenStream"), "80");
  EXPECT_EQ(UnitValue(unit, "Service"), "ringleader.service");
  EXPECT_EQ(UnitValue(unit, "Accept"), "no");  // one socket for the primary, not one per client
}

TEST(SeccompProfile, IsAnAllowListWithIoUring) {
  simdjson::dom::parser parser;
  simdjson::dom::element profile;
  ASSERT_EQ(parser.load(DeployFile("seccomp-io_uring.json")).get(profile), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(profile["defaultAction"].get_string()), "SCMP_ACT_ERRNO");
  EXPECT_EQ(int64_t(profile["defaultErrnoRet"].get_int64()), 1);  // EPERM, as Docker's
  std::set<std::string> architectures;
  for (simdjson::dom::element arch : profile["archMap"].get_array()) {
    architectures.emplace(std::string_view(arch["architecture"].get_string()));
  }
  EXPECT_EQ(architectures, (std::set<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"}));
  size_t listed = 0;
  for (simdjson::dom::element entry : profile["syscalls"].get_array()) {
    EXPECT_EQ(std::string_view(entry["action"].get_string()), "SCMP_ACT_ALLOW");
    EXPECT_FALSE(std::string_view(entry["comment"].get_string()).empty()) << "say why";
    std::vector<std::string> names;
    for (simdjson::dom::element name : entry["names"].get_array()) {
      names.emplace_back(std::string_view(name.get_string()));
    }
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    listed += names.size();
  }
  const std::set<std::string> names = ProfileNames();
  EXPECT_EQ(names.size(), listed) << "a name listed twice";
  for (const char* name : {"io_uring_setup", "io_uring_enter", "io_uring_register"}) {
    EXPECT_THAT(names, Contains(name));
  }
  // What a profile for one server has no use for.
  for (const char* name : {"ptrace", "mount", "bpf", "init_module", "kexec_load", "unshare"}) {
    EXPECT_THAT(names, ::testing::Not(Contains(name)));
  }
}

// kubernetes.yaml read by PyYAML and handed over as JSON.
class KubernetesManifest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kPython, X_OK) != 0 ||
        RunTool(kPython, {"-c", "import yaml"}).exit_code != 0) {
      GTEST_SKIP() << "python3 with PyYAML is missing (Debian package python3-yaml)";
    }
    const auto converted = RunTool(
        kPython, {"-c",
                  "import json, sys, yaml\n"
                  "json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), sys.stdout)",
                  DeployFile("kubernetes.yaml")});
    ASSERT_EQ(converted.exit_code, 0) << converted.err;
    json_ = converted.out;
    ASSERT_EQ(parser_.parse(json_).get(documents_), simdjson::SUCCESS);
  }
  simdjson::dom::element Kind(std::string_view kind) {
    for (simdjson::dom::element document : documents_.get_array()) {
      if (std::string_view(document["kind"].get_string()) == kind) return document;
    }
    ADD_FAILURE() << "no " << kind;
    return documents_;
  }
  std::string json_;
  simdjson::dom::parser parser_;
  simdjson::dom::element documents_;
};

TEST_F(KubernetesManifest, DrainsBeforeTheGracePeriodEnds) {
  simdjson::dom::element pod = Kind("Deployment")["spec"]["template"]["spec"];
  simdjson::dom::element container = pod["containers"].at(0);
  std::string args;
  for (simdjson::dom::element arg : container["args"].get_array()) {
    args += std::string(std::string_view(arg.get_string())) + " ";
  }
  const absl::Duration drain = ParseDurationOrZero(FlagIn(args, "drain_timeout"));
  ASSERT_GT(drain, absl::ZeroDuration()) << args;
  // preStop runs first and counts against the grace period; SIGTERM starts the drain after it.
  std::vector<std::string> pre_stop;
  for (simdjson::dom::element word : container["lifecycle"]["preStop"]["exec"]["command"]) {
    pre_stop.emplace_back(std::string_view(word.get_string()));
  }
  ASSERT_EQ(pre_stop.size(), 2u);
  EXPECT_EQ(pre_stop[0], "/bin/sleep");
  int pre_stop_seconds = 0;
  ASSERT_TRUE(absl::SimpleAtoi(pre_stop[1], &pre_stop_seconds));
  EXPECT_GE(pre_stop_seconds, 3) << "endpoints need a moment to drop the pod";
  const int64_t grace = pod["terminationGracePeriodSeconds"].get_int64();
  EXPECT_GT(absl::Seconds(grace), absl::Seconds(pre_stop_seconds) + drain);
}

TEST_F(KubernetesManifest, ReadinessFollowsHealthAndServiceReachesIt) {
  simdjson::dom::element container =
      Kind("Deployment")["spec"]["template"]["spec"]["containers"].at(0);
  simdjson::dom::element readiness = container["readinessProbe"]["httpGet"];
  EXPECT_EQ(std::string_view(readiness["path"].get_string()), "/health");  // 503 while draining
  EXPECT_EQ(std::string_view(readiness["port"].get_string()), "http");
  EXPECT_EQ(std::string_view(container["livenessProbe"]["httpGet"]["path"].get_string()),
            "/health");
  std::string args;
  for (simdjson::dom::element arg : container["args"].get_array()) {
    args += std::string(std::string_view(arg.get_string())) + " ";
  }
  EXPECT_EQ(FlagIn(args, "port"),
            std::to_string(int64_t(container["ports"].at(0)["containerPort"].get_int64())));
  EXPECT_EQ(std::string_view(Kind("Service")["spec"]["ports"].at(0)["targetPort"].get_string()),
            "http");
}

TEST_F(KubernetesManifest, RunsUnprivilegedUnderTheIoUringProfile) {
  simdjson::dom::element pod = Kind("Deployment")["spec"]["template"]["spec"];
  EXPECT_TRUE(bool(pod["securityContext"]["runAsNonRoot"].get_bool()));
  simdjson::dom::element seccomp = pod["securityContext"]["seccompProfile"];
  EXPECT_EQ(std::string_view(seccomp["type"].get_string()), "Localhost");
  EXPECT_TRUE(absl::EndsWith(std::string(std::string_view(seccomp["localhostProfile"].get_string())),
                             "/seccomp-io_uring.json"));
  simdjson::dom::element container = pod["containers"].at(0);
  EXPECT_FALSE(bool(container["securityContext"]["allowPrivilegeEscalation"].get_bool()));
  EXPECT_EQ(std::string_view(container["image"].get_string()), "ringleader:latest");
  for (const char* kind : {"requests", "limits"}) {
    EXPECT_EQ(container["resources"][kind]["cpu"].error(), simdjson::SUCCESS) << kind;
  }
}

}  // namespace
}  // namespace ringleader::testing
