// The built-in app's message-bus routes: shared configuration, cluster metrics, and messages
// between workers — plus, with --debug_endpoints, routes that misbehave on the bus for tests.
//   GET  /config                → {"worker":PID,"config":{...},"version":N}
//   POST /config  (JSON object) → asks the primary to broadcast it as CONFIG_UPDATE (202)
//   GET  /metrics               → the latest CLUSTER_METRICS the primary broadcast
//   POST /message/<slot|all>    → the body, as USER_MESSAGE, to one worker or all others (202)
//   GET  /messages              → {"worker":PID,"slot":S,"received":[{"from":SLOT,"data":"..."}]}
#include <unistd.h>

#include <deque>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"
#include "core/json_escape.h"
#include "ipc/bus_protocol.h"
#include "ipc/worker_bus.h"
#include "tools/ringleader/builtin_app.h"

namespace ringleader {
namespace {

constexpr size_t kKeptMessages = 16;
// The built-in app's own message type (not the cluster's: the primary routes it unread).
constexpr std::string_view kUserMessageType = "USER_MESSAGE";

// What this worker has heard on the bus; the handlers below share it.
struct BusState {
  std::string config = "{}";
  int64_t config_version = 0;
  std::string cluster_metrics;
  std::deque<std::pair<int, std::string>> received;  // (from slot, data)
  simdjson::dom::parser json;  // validates POST /config bodies on their own
};

void Accepted(HttpResponse& res, bool sent) {
  res.status = sent ? 202 : 503;
  res.body = sent ? "{\"accepted\":true}" : "{\"accepted\":false,\"error\":\"bus queue full\"}";
}

void SubscribeState(WorkerBus& bus, const std::shared_ptr<BusState>& state) {
  bus.Subscribe(kConfigUpdateType, [state](const Envelope& m, std::string_view) {
    if (m.from != -1) return;  // only the primary's own (the primary refuses others anyway)
    absl::StatusOr<ConfigUpdate> update = ReadConfigUpdate(m);
    if (!update.ok() || !update->version) return;
    state->config = std::move(update->config);
    state->config_version = *update->version;
  });
  bus.Subscribe(kClusterMetricsType, [state](const Envelope&, std::string_view raw) {
    state->cluster_metrics.assign(raw);
  });
  bus.Subscribe(kUserMessageType, [state](const Envelope& m, std::string_view) {
    std::string_view data;
    if (m.body["data"].get(data) != simdjson::SUCCESS) return;
    state->received.emplace_back(m.from, std::string(data));
    if (state->received.size() > kKeptMessages) state->received.pop_front();
  });
}

}  // namespace

void InstallBusRoutes(Router& router, WorkerContext& context, size_t ipc_max_message,
                      bool operator_routes) {
  auto state = std::make_shared<BusState>();
  WorkerBus& bus = context.bus;
  const pid_t pid = context.self.pid;
  SubscribeState(bus, state);

  router.Get("/config", [state, pid](const HttpRequest&, HttpResponse& res) {
    absl::StrAppend(&res.body, "{\"worker\":", pid, ",\"config\":", state->config,
                    ",\"version\":", state->config_version, "}");
  });
  router.Get("/metrics", [state](const HttpRequest&, HttpResponse& res) {
    if (state->cluster_metrics.empty()) {
      res = ErrorResponse(503);  // no aggregate yet: the first arrives after one interval
      return;
    }
    res.body = state->cluster_metrics;
  });
  // Operator actions belong on the control socket (ringleader-ctl send): on the public port
  // anyone who can reach it could rewrite every worker's config. Tests switch them on.
  if (operator_routes) {
    router.Handle("POST", "/config", [state, &bus, max = ipc_max_message](const HttpRequest& req,
                                                                           HttpResponse& res) {
      // The body alone must be one JSON object; the envelope is built, never spliced, so a body
      // cannot smuggle its own "version" or "to".
      simdjson::dom::object config;
      if (state->json.parse(req.body).get_object().get(config) != simdjson::SUCCESS) {
        res = ErrorResponse(400);
        return;
      }
      const std::string message = ConfigUpdateRequest(simdjson::minify(config));
      if (message.size() > max) {
        res = ErrorResponse(413);  // the primary would drop it as oversize
        return;
      }
      Accepted(res, bus.SendRaw(message));
    });
    router.HandlePrefix("POST", "/message/", [&bus](const HttpRequest& req, HttpResponse& res) {
      const std::string_view target = req.path().substr(std::string_view("/message/").size());
      MessageBuilder message(kUserMessageType);
      message.AddString("data", req.body);
      int slot = -1;
      if (target == "all") return Accepted(res, bus.Broadcast(std::move(message)));
      if (!absl::SimpleAtoi(Absl(target), &slot) || slot < 0) {
        res = ErrorResponse(400);
        return;
      }
      Accepted(res, bus.SendToWorker(slot, std::move(message)));
    });
  }
  router.Get("/messages", [state, pid, slot = context.self.slot](const HttpRequest&,
                                                                 HttpResponse& res) {
    absl::StrAppend(&res.body, "{\"worker\":", pid, ",\"slot\":", slot, ",\"received\":[");
    bool first = true;
    for (const auto& [from, data] : state->received) {
      absl::StrAppend(&res.body, first ? "" : ",", "{\"from\":", from, ",\"data\":");
      AppendJsonString(res.body, data);
      res.body += '}';
      first = false;
    }
    res.body += "]}";
  });
}

void InstallDebugBusRoutes(Router& router, WorkerContext& context, size_t ipc_max_message) {
  WorkerBus& bus = context.bus;
  const int slot = context.self.slot;
  // POST /debug/ipc/<kind>?n=N: this worker misbehaves on the bus N times (default 1); "raw"
  // sends the request body as is. The answer says how many were queued, and from which slot.
  router.HandlePrefix("POST", "/debug/ipc/", [&bus, slot, ipc_max_message](const HttpRequest& req,
                                                                           HttpResponse& res) {
    const std::string_view path = req.path();
    const std::string_view kind = path.substr(std::string_view("/debug/ipc/").size());
    int n = 1;
    const std::string_view target(req.target);
    if (const auto q = target.find("?n="); q != std::string_view::npos) {
      if (!absl::SimpleAtoi(Absl(target.substr(q + 3)), &n) || n < 1) n = 1;
    }
    int sent = 0;
    for (int i = 0; i < n; ++i) {
      bool ok = false;
      if (kind == "raw") ok = bus.SendRaw(req.body);  // any message, exactly as given
      if (kind == "garbage") ok = bus.SendRaw("{\"type\":\"METRIC\",\"requests\":");
      if (kind == "unknown") ok = bus.SendRaw("{\"type\":\"NO_SUCH_TYPE\"}");
      if (kind == "spoof") ok = bus.SendRaw(absl::StrCat("{\"type\":\"X\",\"to\":0,\"from\":", slot + 1, "}"));
      if (kind == "oversize") {
        ok = bus.SendRaw(absl::StrCat("{\"type\":\"METRIC\",\"pad\":\"",
                                      std::string(ipc_max_message, 'x'), "\"}"));
      }
      if (kind == "flood") {
        ok = bus.Broadcast(MessageBuilder(kUserMessageType).AddString("data", "flood"));
      }
      if (kind == "corrupt" && bus.channel() != nullptr) {
        // Bytes without the frame magic: the primary must close this channel and replace us.
        ok = ::write(bus.channel()->fd(), "\x07\x00\x00\x00garbage", 11) == 11;
      }
      sent += ok ? 1 : 0;
    }
    absl::StrAppend(&res.body, "{\"kind\":\"", Absl(kind), "\",\"sent\":", sent,
                    ",\"slot\":", slot, "}");
  });
}

}  // namespace ringleader
