// The primary's side of the message bus: routing worker messages (forwarded byte for byte when
// they name their sender, else re-stamped with it), built-in types (METRIC, CONFIG_UPDATE), user
// handlers, and the metrics broadcast. Part of Primary.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/ringleader/primary.h"

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
  const BusRoute route = RouteMessage(message, worker.slot());
  BusCounters& counters = worker.counters();
  // Receivers trust "from": whatever the worker wrote there, it names the worker.
  std::optional<std::string> stamped;
  if (route.kind == BusRoute::kSlot || route.kind == BusRoute::kAllOthers) {
    stamped = RestampSender(message, worker.slot());
  }
  const std::string_view payload = stamped ? std::string_view(*stamped) : raw;
  switch (route.kind) {
    case BusRoute::kDrop: return worker.CountBad(counters.spoofed, route.reason);
    case BusRoute::kSlot:
      if (SendToWorker(route.slot, payload)) {
        ++bus_totals_.routed;
      } else {
        worker.CountBad(counters.undeliverable, "message for a slot that cannot take it");
      }
      return;
    case BusRoute::kAllOthers:
      ForEachLiveWorker(&worker, [&](WorkerProcess& target) {
        if (target.Send(payload)) {
          ++bus_totals_.routed;
          return true;
        }
        worker.CountBad(counters.undeliverable, "broadcast to a full queue");
        return false;
      });
      return;
    case BusRoute::kPrimary: break;
  }
  if (message.type == "METRIC") return metrics_.Update(worker.slot(), worker.pid(), message.body);
  if (message.type == kConfigUpdateType) return UpdateConfig(worker, message);
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
  simdjson::dom::object config;
  if (message.body["config"].get(config) != simdjson::SUCCESS) {
    return worker.CountBad(worker.counters().bad_json, "CONFIG_UPDATE without a \"config\" object");
  }
  config_json_ = simdjson::minify(config);
  ++config_version_;
  worker.LogSparingly(worker.counters().config_updates,
                      absl::StrCat("config version ", config_version_, ": broadcasting to ",
                                   LiveWorkers(), " workers"));
  Broadcast(ConfigMessage());
}

std::string Primary::ConfigMessage() const {
  return MessageBuilder(kConfigUpdateType)
      .AddRaw("config", config_json_)
      .Add("version", config_version_)
      .Build();
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
