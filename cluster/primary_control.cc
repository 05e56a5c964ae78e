// The control socket's commands (ringleader-ctl) and the status snapshot they and /metrics
// read. Part of Primary.
//
//   {"cmd":"status"}                       → {"ok":true,"primary":{...},"workers":[...]}
//   {"cmd":"reload"}                       → a rolling restart, as SIGUSR2
//   {"cmd":"scale","workers":N}            → slots up or down to N (after a running rollout)
//   {"cmd":"stop"}                         → a graceful stop, as SIGTERM
//   {"cmd":"send","message":{...},"to":S}  → to slot S's worker, or every worker without "to"
//   {"cmd":"trace"}                        → every lifecycle record from now on, one per line
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "cluster/control_path.h"
#include "cluster/log_lines.h"
#include "cluster/primary.h"
#include "core/absl_bridge.h"
#include "core/clock.h"
#include "core/json_escape.h"
#include "core/status.h"
#include "net/listener.h"

namespace ringleader {
namespace {

constexpr int kMaxWorkers = 1024;  // as --workers

std::string ErrorReply(std::string_view why) {
  std::string out = R"({"ok":false,"error":)";
  AppendJsonString(out, why);
  out += '}';
  return out;
}

// utime + stime of `pid` in clock ticks (0 when it is gone).
uint64_t CpuTicks(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat, line)) return 0;
  // The command name may hold spaces and parentheses: fields are counted after the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;  // state .. cmajflt: fields 3 to 13
  uint64_t utime = 0, stime = 0;
  fields >> utime >> stime;
  return utime + stime;
}

std::string_view SchedName(Scheduling s) {
  switch (s) {
    case Scheduling::kShared: return "shared";
    case Scheduling::kRoundRobin: return "rr";
    case Scheduling::kReusePort: return "reuseport";
  }
  return "";
}

}  // namespace

absl::Status Primary::OpenControl() {
  started_at_ = MonotonicNow();
  if (options_.control_path == "off") return absl::OkStatus();
  std::string path = options_.control_path;
  if (path.empty()) {
    RL_ASSIGN_OR_RETURN(uint16_t port, LocalPort(listener_.get()));
    path = DefaultControlPath(port);
  }
  RL_ASSIGN_OR_RETURN(control_,
                      ControlServer::Open(*ring_, std::move(path),
                                          [this](std::string_view line, ControlClient& client) {
                                            OnControlRequest(line, client);
                                          }));
  control_->OnIdle([this] { MaybeFinish(); });
  control_->Start();
  return absl::OkStatus();
}

void Primary::OnControlRequest(std::string_view line, ControlClient& client) noexcept {
  simdjson::dom::object request;
  std::string_view cmd;
  if (control_json_.parse(simdjson::padded_string(line)).get_object().get(request) !=
          simdjson::SUCCESS ||
      request["cmd"].get_string().get(cmd) != simdjson::SUCCESS) {
    return client.Reply(ErrorReply("not a JSON object with a string \"cmd\""));
  }
  if (cmd == "status") return client.Reply(StatusJson(Status()));
  if (cmd == "reload") {
    client.Reply(R"({"ok":true})");
    return CarryFleet(fleet_.RolloutRequested("ringleader-ctl reload"));
  }
  if (cmd == "scale") return ControlScale(request, client);
  if (cmd == "send") return ControlSend(request, client);
  if (cmd == "trace") {
    client.Subscribe();
    return client.Reply(R"({"ok":true})");
  }
  if (cmd == "stop") {
    client.Reply(R"({"ok":true})");
    if (!stopping()) BeginShutdown("ringleader-ctl stop");
    return MaybeFinish();
  }
  client.Reply(ErrorReply(absl::StrCat("unknown command \"", std::string(cmd),
                                       "\": status, reload, scale, stop, send or trace")));
}

void Primary::ControlScale(const simdjson::dom::object& request, ControlClient& client) noexcept {
  int64_t workers = 0;
  if (request["workers"].get_int64().get(workers) != simdjson::SUCCESS || workers < 1 ||
      workers > kMaxWorkers) {
    return client.Reply(ErrorReply("scale needs \"workers\": a number from 1 to 1024"));
  }
  if (stopping()) return client.Reply(ErrorReply("the server is stopping"));
  client.Reply(absl::StrCat(R"({"ok":true,"workers":)", workers,
                            fleet_.rollout_active() ? R"(,"after_rollout":true})" : "}"));
  if (fleet_.rollout_active()) {
    scale_after_rollout_ = static_cast<int>(workers);  // not interleaved with the rollout
    return;
  }
  ApplyScale(static_cast<int>(workers));
}

void Primary::ApplyScale(int workers) noexcept {
  int in_service = 0;
  for (int i = 0; i < fleet_.size(); ++i) in_service += fleet_.slot(i).retired() ? 0 : 1;
  for (; in_service < workers; ++in_service) CarryFleet(fleet_.ScaleUp());
  for (; in_service > workers; --in_service) CarryFleet(fleet_.ScaleDown());
}

void Primary::ControlSend(const simdjson::dom::object& request, ControlClient& client) noexcept {
  simdjson::dom::object message;
  std::string_view type;
  if (request["message"].get_object().get(message) != simdjson::SUCCESS ||
      message["type"].get_string().get(type) != simdjson::SUCCESS) {
    return client.Reply(ErrorReply("send needs \"message\": a JSON object with a \"type\""));
  }
  const std::string payload = simdjson::minify(message);
  if (payload.size() > options_.ipc_max_message) {
    return client.Reply(ErrorReply("message over --ipc_max_message"));
  }
  int64_t slot = -1;
  int delivered = 0;
  if (request["to"].get_int64().get(slot) == simdjson::SUCCESS) {
    delivered = SendToWorker(static_cast<int>(slot), payload) ? 1 : 0;
  } else {
    delivered = Broadcast(payload);
  }
  client.Reply(absl::StrCat(R"({"ok":true,"delivered":)", delivered, "}"));
}

void Primary::OnMetricReport(WorkerProcess& worker) noexcept {
  const MetricReport* report = metrics_.Find(worker.pid());
  if (report == nullptr) return;
  WorkerLife& life = LifeOf(worker);
  const absl::Time now = MonotonicNow();
  if (life.last_requests >= 0 && now > life.last_metric_at) {
    life.requests_per_s = static_cast<double>(report->requests - life.last_requests) /
                          absl::ToDoubleSeconds(now - life.last_metric_at);
  }
  life.last_requests = report->requests;
  life.last_metric_at = now;
}

WorkerStatus Primary::StatusOf(WorkerProcess& worker, absl::Time now) noexcept {
  WorkerLife& life = LifeOf(worker);
  WorkerStatus s{.slot = worker.slot(),
                 .pid = worker.pid(),
                 .generation = worker.generation(),
                 .state = std::string(StateName(life.state)),
                 .uptime_s = absl::ToDoubleSeconds(now - worker.started()),
                 .restarts = slots_[static_cast<size_t>(worker.slot())]->restarts,
                 .requests_per_s = life.requests_per_s,
                 .status_text = life.status_text};
  if (const MetricReport* m = metrics_.Find(worker.pid())) {
    s.requests = m->requests;
    s.connections = m->connections;
    s.rss_bytes = m->rss_bytes;
  }
  // CPU since the previous look (a status every second gives a per-second figure).
  const uint64_t ticks = CpuTicks(worker.pid());
  if (life.cpu_at != absl::Time() && now > life.cpu_at && ticks >= life.cpu_ticks) {
    s.cpu_percent = 100.0 * static_cast<double>(ticks - life.cpu_ticks) /
                    static_cast<double>(::sysconf(_SC_CLK_TCK)) /
                    absl::ToDoubleSeconds(now - life.cpu_at);
  }
  life.cpu_ticks = ticks;
  life.cpu_at = now;
  return s;
}

ClusterStatus Primary::Status() noexcept {
  const absl::Time now = MonotonicNow();
  ClusterStatus status{.primary_pid = ::getpid(),
                       .uptime_s = absl::ToDoubleSeconds(now - started_at_),
                       .sched = std::string(SchedName(options_.scheduling)),
                       .rollout_in_progress = fleet_.rollout_active()};
  for (int i = 0; i < fleet_.size(); ++i) status.target_workers += fleet_.slot(i).retired() ? 0 : 1;
  for (auto& w : workers_) status.workers.push_back(StatusOf(*w, now));
  std::sort(status.workers.begin(), status.workers.end(), [](const auto& a, const auto& b) {
    return std::tie(a.slot, a.generation) < std::tie(b.slot, b.generation);
  });
  status.restarts_by_cause = restarts_by_cause_;
  status.transitions = transitions_;
  const BusTotals bus = CurrentBusTotals();
  status.bus_routed = static_cast<int64_t>(bus.routed);
  status.bus_dropped = static_cast<int64_t>(bus.bad_json + bus.unknown_type + bus.spoofed +
                                            bus.undeliverable + bus.oversize);
  return status;
}

void Primary::CountTransition(std::optional<WorkerState> from, WorkerState to,
                              std::string_view line) {
  ++transitions_[absl::StrCat(Absl(from ? StateName(*from) : "none"), "->", Absl(StateName(to)))];
  if (!control_) return;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);  // Publish ends each line
  control_->Publish(line);
}

}  // namespace ringleader
