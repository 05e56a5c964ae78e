// The primary's side of the message bus: routing worker messages (forwarded byte for byte when
// they name their sender, else re-stamped with it), built-in types (METRIC, CONFIG_UPDATE), user
// handlers, and the metrics broadcast. Part of Primary.
#include "absl/strings/str_cat.h"
#include "cluster/primary.h"
#include "core/absl_bridge.h"
#include "ipc/bus_protocol.h"

namespace ringleader {

bool Primary::SendToWorker(int slot, std::string_view payload) {
  WorkerProcess* w = CurrentWorker(slot);
  return w != nullptr && IsLive(*w) && w->Send(payload);
}

int Primary::Broadcast(std::string_view payload) {
  return ForEachLiveWorker(nullptr, [&](WorkerProcess& w) { return w.Send(payload); });
}

int Primary::ForEachLiveWorker(const WorkerProcess* except,
                               absl::FunctionRef<bool(WorkerProcess&)> send) {
  // A rollout's incoming worker counts too: it already took the config at "online", and must
  // not miss a broadcast between that and taking over the slot.
  int delivered = 0;
  for (int s = 0; s < fleet_.size(); ++s) {
    for (WorkerProcess* w : {CurrentWorker(s), IncomingWorker(s)}) {
      if (w != nullptr && w != except && IsLive(*w)) {
        delivered += send(*w) ? 1 : 0;
      }
    }
  }
  return delivered;
}

void Primary::OnBusMessage(WorkerProcess& worker, const Envelope& message,
                           std::string_view raw) noexcept {
  BusCounters& counters = worker.counters();
  if (const absl::Status allowed = CheckRoute(message, worker.slot()); !allowed.ok()) {
    return worker.CountBad(counters.spoofed, Std(allowed.message()));
  }
  // Receivers trust "from": whatever the worker wrote there, it names the worker.
  std::optional<std::string> stamped;
  if (message.to != Destination::kPrimary) stamped = RestampSender(message, worker.slot());
  const std::string_view payload = stamped ? std::string_view(*stamped) : raw;
  switch (message.to) {
    case Destination::kPrimary: break;
    case Destination::kSlot:
      if (SendToWorker(message.to_slot, payload)) {
        ++bus_totals_.routed;
      } else {
        worker.CountBad(counters.undeliverable, "message for a slot that cannot take it");
      }
      return;
    case Destination::kAllOthers:
      ForEachLiveWorker(&worker, [&](WorkerProcess& target) {
        if (target.Send(payload)) {
          ++bus_totals_.routed;
          return true;
        }
        worker.CountBad(counters.undeliverable, "broadcast to a full queue");
        return false;
      });
      return;
  }
  if (const std::optional<BuiltinType> type = ParseBuiltinType(message.type)) {
    switch (*type) {
      case BuiltinType::kMetric:
        metrics_.Update(worker.slot(), worker.pid(), message.body);
        return OnMetricReport(worker);
      case BuiltinType::kConfigUpdate: return UpdateConfig(worker, message);
      case BuiltinType::kTaken: return OnTaken(worker, message);
      case BuiltinType::kHandOffStop: return StopHandOffs(worker);
      // Lifecycle messages for the primary are WorkerProcess's (they never reach here); the
      // primary's own types sent back to it are left to the program's handlers, as any other.
      case BuiltinType::kOnline:
      case BuiltinType::kListening:
      case BuiltinType::kHeartbeat:
      case BuiltinType::kClusterMetrics:
      case BuiltinType::kConnection:
      case BuiltinType::kHandOffEnd: break;
    }
  }
  bool handled = false;
  for (auto& [type, handler] : primary_handlers_) {
    if (type == message.type) {
      handler(message, worker.slot(), *this);
      handled = true;
    }
  }
  if (!handled) worker.CountBad(counters.unknown_type, "message of an unknown type");
}

void Primary::UpdateConfig(WorkerProcess& worker, const Envelope& message) noexcept {
  absl::StatusOr<ConfigUpdate> update = ReadConfigUpdate(message);
  if (!update.ok()) {
    return worker.CountBad(worker.counters().bad_json, Std(update.status().message()));
  }
  config_json_ = std::move(update->config);
  ++config_version_;
  worker.LogSparingly(worker.counters().config_updates,
                      absl::StrCat("config version ", config_version_, ": broadcasting to ",
                                   LiveWorkers(), " workers"));
  Broadcast(ConfigMessage());
}

std::string Primary::ConfigMessage() const {
  return ConfigUpdateMessage(config_json_, config_version_);
}

void Primary::OnWorkerOnline(WorkerProcess& worker) noexcept {
  // A worker started after a config broadcast (restart, rollout, scale-up) gets it too.
  if (config_version_ > 0) worker.Send(ConfigMessage());
}

BusTotals Primary::CurrentBusTotals() const {
  BusTotals t = retired_bus_totals_;
  t.routed = bus_totals_.routed;
  for (const auto& w : workers_) AddCounters(t, *w);
  return t;
}

void Primary::AddCounters(BusTotals& totals, WorkerProcess& worker) {
  const BusCounters& c = worker.counters();
  totals.bad_json += c.bad_json;
  totals.unknown_type += c.unknown_type;
  totals.spoofed += c.spoofed;
  totals.undeliverable += c.undeliverable;
  totals.oversize += worker.oversize_frames();
}

void Primary::OnMetricsTick(int res) noexcept {
  if (res != -ETIME || stopping()) return MaybeFinish();
  Broadcast(metrics_.Render(CurrentBusTotals()));
  metrics_op_->Arm(*ring_, options_.metrics_interval);
}

}  // namespace ringleader
