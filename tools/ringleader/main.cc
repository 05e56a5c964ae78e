// ringleader: the server binary. Flags in, a Cluster with the built-in app out — or, as
// `ringleader exec`, the same supervisor over a program of your own.
//
//   ringleader --workers=4 --port=3000 --trace=/tmp/rl.trace
//   ringleader exec -i 2 --port=3000 --ready=delay:500ms -- python3 app.py
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/internal/program_name.h"  // for --help below
#include "absl/flags/internal/usage.h"          // FlagsHelp: --help without absl's exit status 1
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cluster/cluster.h"
#include "cluster/log_lines.h"
#include "core/exit_codes.h"
#include "core/status.h"
#include "tools/ringleader/builtin_app.h"

ABSL_FLAG(std::string, workers, "max", "Number of workers, or \"max\" for one per online CPU");
ABSL_FLAG(uint16_t, port, 3000, "TCP port to listen on (0: any free port)");
ABSL_FLAG(std::string, host, "0.0.0.0", "Address to bind");
ABSL_FLAG(std::string, sched, "",
          "How connections reach workers: rr (the primary hands each to the least-loaded "
          "worker), shared (every worker accepts from one socket) or reuseport (one socket per "
          "worker slot). Empty: $RINGLEADER_SCHED, else the default");
ABSL_FLAG(std::string, sticky, "none",
          "Sticky sessions with --sched=rr: ip (one client address, one worker) or none");
ABSL_FLAG(std::string, control, "",
          "The control socket for ringleader-ctl (empty: $XDG_RUNTIME_DIR/ringleader-PORT.sock, "
          "else /tmp/ringleader-UID-PORT.sock; off: none)");
ABSL_FLAG(int, metrics_port, -1,
          "Serve GET /metrics (Prometheus text) from the primary on this port (-1: off, 0: any "
          "free port, printed at start)");
ABSL_FLAG(std::string, redis, "",
          "Keep sessions in Redis at HOST:PORT (POST/GET/DELETE /session/<id>); empty: the "
          "session routes answer 503");
ABSL_FLAG(absl::Duration, redis_timeout, absl::Seconds(1),
          "A Redis call not answered within this fails (503) and its connection is replaced");
ABSL_FLAG(int, redis_connections, 2, "Pipelined Redis connections per worker");
ABSL_FLAG(size_t, max_session_bytes, 64 * 1024, "Largest session body (more is 413)");
ABSL_FLAG(std::string, ready, "notify",
          "ringleader exec: when a program counts as listening — notify (it sends READY=1 to "
          "$NOTIFY_SOCKET) or delay:DURATION after it started (programs that say nothing)");
ABSL_FLAG(std::string, stop_signal, "TERM",
          "ringleader exec: the signal that asks a program to drain (TERM, INT, QUIT, HUP, USR1, "
          "USR2, WINCH); SIGKILL follows after --drain_timeout");
ABSL_FLAG(std::string, user, "",
          "Run every worker as this user (the primary keeps root to bind the port and hold the "
          "sockets; workers can never regain it). Empty: as the primary");
ABSL_FLAG(std::string, group, "", "With --user: the workers' group (empty: the user's own)");
ABSL_FLAG(std::string, trace, "", "Write the lifecycle trace (JSON lines) to this file");
ABSL_FLAG(absl::Duration, ready_timeout, absl::Seconds(5),
          "How long a new worker may take to report listening before it is killed");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(30),
          "How long a draining worker may take to exit before SIGKILL");
ABSL_FLAG(absl::Duration, header_timeout, absl::Seconds(10),
          "How long a client may take to send a complete request (then 408)");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(5),
          "How long an idle keep-alive connection is kept open");
ABSL_FLAG(int, max_connections, 10000, "Connections per worker; more are accepted and closed");
ABSL_FLAG(absl::Duration, batch_wait, absl::Microseconds(500),
          "Under load, how long a worker's loop may wait to gather a batch of completions "
          "(fewer wake-ups per request; a quiet worker still answers at once). 0: off");
ABSL_FLAG(absl::Duration, watchdog_timeout, absl::Seconds(5),
          "Kill and replace a worker whose event loop sends no heartbeat for this long (0: off)");
ABSL_FLAG(absl::Duration, min_uptime, absl::Seconds(1),
          "A worker that dies sooner is crash-looping: restarts back off (100 ms doubling to 30 s)");
ABSL_FLAG(int, max_restarts, 10,
          "Quick deaths within a minute after which a slot is parked instead of restarted");
ABSL_FLAG(absl::Duration, rollout_stagger, absl::Milliseconds(100),
          "Pause between slots of a rolling restart (SIGUSR2/SIGHUP)");
ABSL_FLAG(absl::Duration, metrics_interval, absl::Seconds(1),
          "How often each worker reports METRIC and the primary broadcasts the aggregate");
ABSL_FLAG(size_t, ipc_max_message, 64 * 1024,
          "Largest bus message accepted from a worker; larger ones are dropped and counted");
ABSL_FLAG(bool, debug_endpoints, false,
          "TESTS ONLY, never in production: /debug/spin hangs a worker, /debug/crash aborts it, "
          "POST /config and POST /message/<slot|all> reach the bus from the public port, "
          "and --debug_fail_generation takes effect");
ABSL_FLAG(uint32_t, debug_fail_generation, 0,
          "TESTS ONLY (with --debug_endpoints): workers of this generation or later exit at start");

ABSL_FLAG(std::string, debug_start_failure, "",
          "TESTS ONLY (with --debug_endpoints): every worker fails to start — its set-up fails "
          "with a configuration error (config) or a shortage such as ENOMEM (resource), or it "
          "never reports listening (never_listening)");

namespace {

bool ParseWorkers(const std::string& text, int& workers) {
  if (text == "max") {
    workers = 0;
    return true;
  }
  return absl::SimpleAtoi(text, &workers) && workers >= 1 && workers <= 1024;
}

bool ParseStartFailure(const std::string& text, ringleader::DebugStartFailure& failure) {
  using F = ringleader::DebugStartFailure;
  for (auto [name, value] : {std::pair{"", F::kNone}, std::pair{"config", F::kConfigError},
                             std::pair{"resource", F::kResourceError},
                             std::pair{"never_listening", F::kNeverListening}}) {
    if (text == name) {
      failure = value;
      return true;
    }
  }
  return false;
}

bool ParseScheduling(std::string text, ringleader::Scheduling& scheduling) {
  using S = ringleader::Scheduling;
  if (text.empty()) {
    const char* env = std::getenv("RINGLEADER_SCHED");
    text = env != nullptr ? env : "";
  }
  for (auto [name, value] : {std::pair{"", scheduling}, std::pair{"rr", S::kRoundRobin},
                             std::pair{"shared", S::kShared},
                             std::pair{"reuseport", S::kReusePort}}) {
    if (text == name) {
      scheduling = value;
      return true;
    }
  }
  return false;
}

bool ParseReady(const std::string& text, ringleader::ExecOptions& exec) {
  if (text == "notify") {
    exec.ready = ringleader::ReadyMode::kNotify;
    return true;
  }
  constexpr absl::string_view kDelay = "delay:";
  exec.ready = ringleader::ReadyMode::kDelay;
  return absl::StartsWith(text, kDelay) &&
         absl::ParseDuration(text.substr(kDelay.size()), &exec.ready_delay) &&
         exec.ready_delay >= absl::ZeroDuration();
}

bool ParseStopSignal(const std::string& text, int& signal_number) {
  for (auto [name, value] : {std::pair{"TERM", SIGTERM}, std::pair{"INT", SIGINT},
                             std::pair{"QUIT", SIGQUIT}, std::pair{"HUP", SIGHUP},
                             std::pair{"USR1", SIGUSR1}, std::pair{"USR2", SIGUSR2},
                             std::pair{"WINCH", SIGWINCH}}) {
    if (text == name || text == std::string("SIG") + name) {
      signal_number = value;
      return true;
    }
  }
  return false;
}

// `ringleader exec -i N ... -- PROGRAM ARGS...`: "-i"/"--instances" read as --workers, like
// PM2's; everything after "--" is the program.
std::vector<char*> ExecArguments(int argc, char** argv, bool& exec) {
  std::vector<char*> args(argv, argv + argc);
  exec = argc > 1 && std::string_view(argv[1]) == "exec";
  if (!exec) return args;
  static char workers_flag[] = "--workers";
  args.erase(args.begin() + 1);
  for (size_t i = 1; i < args.size() && std::string_view(args[i]) != "--"; ++i) {
    if (std::string_view(args[i]) == "-i" || std::string_view(args[i]) == "--instances") {
      args[i] = workers_flag;
    }
  }
  return args;
}

// --user/--group as ids, resolved once here; an error message when they cannot be used.
std::optional<std::string> ResolveWorkerIdentity(
    const std::string& user, const std::string& group,
    std::optional<ringleader::SpawnRequest::Identity>& identity) {
  if (user.empty()) {
    if (group.empty()) return std::nullopt;
    return "--group needs --user";
  }
  if (::geteuid() != 0) return "--user needs the primary to run as root";
  std::vector<char> buffer(64 * 1024);
  passwd pw{};
  passwd* found_user = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &found_user) != 0 ||
      found_user == nullptr) {
    return "--user " + user + ": no such user";
  }
  identity = ringleader::SpawnRequest::Identity{.uid = pw.pw_uid, .gid = pw.pw_gid};
  if (group.empty()) return std::nullopt;
  std::vector<char> group_buffer(64 * 1024);
  struct group gr {};
  struct group* found_group = nullptr;
  if (::getgrnam_r(group.c_str(), &gr, group_buffer.data(), group_buffer.size(), &found_group) !=
          0 ||
      found_group == nullptr) {
    return "--group " + group + ": no such group";
  }
  identity->gid = gr.gr_gid;
  return std::nullopt;
}

bool ParseSticky(const std::string& text, ringleader::Sticky& sticky) {
  if (text == "none") {
    sticky = ringleader::Sticky::kNone;
  } else if (text == "ip") {
    sticky = ringleader::Sticky::kClientIp;
  } else {
    return false;
  }
  return true;
}

// `ringleader --help` (or -h) succeeds, as a packaged command's should; absl's own handling
// of --help exits 1. The other usage flags (--helpfull, --help=substr) stay absl's.
bool PrintedHelp(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "A Node-cluster-style HTTP server on io_uring, or a supervisor for any server program.\n"
      "  ringleader [FLAGS]\n"
      "  ringleader exec -i N [FLAGS] -- PROGRAM ARGS...\n"
      "Flags:");
  // --help lists the flags defined here (absl would otherwise look for a file named after us).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/ringleader/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      absl::flags_internal::SetProgramInvocationName(argv[0]);
      absl::flags_internal::FlagsHelp(std::cout, "tools/ringleader/",
                                      absl::flags_internal::HelpFormat::kHumanReadable,
                                      absl::ProgramUsageMessage());
      return true;
    }
  }
  return false;
}

absl::Status Invalid(absl::string_view why) { return absl::InvalidArgumentError(why); }

// `ringleader exec`: the program (what followed "--") and how it is run.
absl::Status ReadExecFlags(const std::vector<char*>& positional, bool exec,
                           ringleader::ClusterOptions& options) {
  if (!exec) {
    if (positional.size() <= 1) return absl::OkStatus();
    return Invalid(absl::StrCat("unexpected argument ", positional[1],
                                " (a program to run goes after: ringleader exec -- )"));
  }
  options.exec.argv.assign(positional.begin() + 1, positional.end());
  if (options.exec.argv.empty()) {
    return Invalid("ringleader exec needs a program: ringleader exec -i N -- PROGRAM ARGS");
  }
  if (!ParseReady(absl::GetFlag(FLAGS_ready), options.exec) ||
      !ParseStopSignal(absl::GetFlag(FLAGS_stop_signal), options.exec.stop_signal)) {
    return Invalid("--ready must be notify or delay:DURATION, --stop_signal a name");
  }
  // One shared socket unless asked otherwise (the primary checks what was asked).
  options.scheduling = ringleader::Scheduling::kShared;
  return absl::OkStatus();
}

// Workers, the port, and how connections reach the workers.
absl::Status ReadServingFlags(ringleader::ClusterOptions& options) {
  if (!ParseWorkers(absl::GetFlag(FLAGS_workers), options.workers)) {
    return Invalid("--workers must be a number from 1 to 1024, or max");
  }
  options.listen.host = absl::GetFlag(FLAGS_host);
  options.listen.port = absl::GetFlag(FLAGS_port);
  if (!ParseScheduling(absl::GetFlag(FLAGS_sched), options.scheduling)) {
    return Invalid("--sched (or RINGLEADER_SCHED) must be rr, shared or reuseport");
  }
  if (!ParseSticky(absl::GetFlag(FLAGS_sticky), options.sticky)) {
    return Invalid("--sticky must be ip or none");
  }
  if (options.sticky != ringleader::Sticky::kNone &&
      options.scheduling != ringleader::Scheduling::kRoundRobin) {
    return Invalid("--sticky=ip needs --sched=rr: only the primary sees every client");
  }
  options.http.header_timeout = absl::GetFlag(FLAGS_header_timeout);
  options.http.idle_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  options.http.max_connections = absl::GetFlag(FLAGS_max_connections);
  options.batch_wait = absl::GetFlag(FLAGS_batch_wait);
  if (options.batch_wait < absl::ZeroDuration() || options.batch_wait > absl::Milliseconds(10)) {
    return Invalid("--batch_wait must be between 0 and 10ms");
  }
  return absl::OkStatus();
}

// The supervisor: timeouts, restarts, tracing, the control socket, metrics, test switches.
absl::Status ReadSupervisionFlags(ringleader::ClusterOptions& options) {
  options.trace_path = absl::GetFlag(FLAGS_trace);
  options.control_path = absl::GetFlag(FLAGS_control);
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  if (options.metrics_port < -1 || options.metrics_port > 65535) {
    return Invalid("--metrics_port must be -1 (off), 0 (any) or a port number");
  }
  options.ready_timeout = absl::GetFlag(FLAGS_ready_timeout);
  options.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  options.watchdog_timeout = absl::GetFlag(FLAGS_watchdog_timeout);
  options.restart.min_uptime = absl::GetFlag(FLAGS_min_uptime);
  options.restart.max_restarts = absl::GetFlag(FLAGS_max_restarts);
  options.rollout_stagger = absl::GetFlag(FLAGS_rollout_stagger);
  options.metrics_interval = absl::GetFlag(FLAGS_metrics_interval);
  options.ipc_max_message = absl::GetFlag(FLAGS_ipc_max_message);
  options.debug_endpoints = absl::GetFlag(FLAGS_debug_endpoints);
  options.debug_fail_generation = absl::GetFlag(FLAGS_debug_fail_generation);
  if (!ParseStartFailure(absl::GetFlag(FLAGS_debug_start_failure), options.debug_start_failure)) {
    return Invalid("--debug_start_failure must be config, resource or never_listening");
  }
  return absl::OkStatus();
}

// Whom workers run as, and the state they share through Redis.
absl::Status ReadWorkerFlags(ringleader::ClusterOptions& options) {
  // Only the primary starts workers; a worker (already dropped) sees the same flags.
  if (ringleader::Cluster::IsPrimary()) {
    if (const std::optional<std::string> error = ResolveWorkerIdentity(
            absl::GetFlag(FLAGS_user), absl::GetFlag(FLAGS_group), options.worker_identity)) {
      return Invalid(*error);
    }
  }
  options.redis = absl::GetFlag(FLAGS_redis);
  options.redis_timeout = absl::GetFlag(FLAGS_redis_timeout);
  options.redis_connections = absl::GetFlag(FLAGS_redis_connections);
  if (options.redis_connections < 1 || options.redis_connections > 64 ||
      options.redis_timeout <= absl::ZeroDuration()) {
    return Invalid("--redis_connections must be 1 to 64 and --redis_timeout positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<ringleader::ClusterOptions> OptionsFromFlags(const std::vector<char*>& positional,
                                                            bool exec) {
  ringleader::ClusterOptions options;
  RL_RETURN_IF_ERROR(ReadExecFlags(positional, exec, options));
  RL_RETURN_IF_ERROR(ReadServingFlags(options));
  RL_RETURN_IF_ERROR(ReadSupervisionFlags(options));
  RL_RETURN_IF_ERROR(ReadWorkerFlags(options));
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  if (PrintedHelp(argc, argv)) return 0;
  bool exec = false;
  std::vector<char*> args = ExecArguments(argc, argv, exec);
  const std::vector<char*> positional =
      absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  absl::StatusOr<ringleader::ClusterOptions> parsed = OptionsFromFlags(positional, exec);
  if (!parsed.ok()) {
    ringleader::LogError(std::string(parsed.status().message()));
    return ringleader::kExitSetupFailed;
  }
  const ringleader::ClusterOptions& options = *parsed;

  ringleader::Cluster cluster(argc, argv, options);
  const ringleader::BuiltinAppOptions app{.debug_endpoints = options.debug_endpoints,
                                          .ipc_max_message = options.ipc_max_message,
                                          .max_session_bytes = absl::GetFlag(FLAGS_max_session_bytes)};
  cluster.OnWorkerStart([app](ringleader::Router& router, ringleader::WorkerContext& context) {
    ringleader::InstallBuiltinApp(router, context, app);
  });
  return cluster.Run();
}
