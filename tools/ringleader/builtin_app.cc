// Handlers of the built-in app. Bodies are built into the response's reused buffer.
#include "tools/ringleader/builtin_app.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/absl_bridge.h"

namespace ringleader {
namespace {
constexpr int64_t kMaxDelayMs = 60000;

void InstallDebugRoutes(Router& router) {
  router.Get("/debug/spin", [](const HttpRequest&, HttpResponse&) {
    volatile bool spinning = true;  // volatile: an empty infinite loop would be undefined
    while (spinning) {
    }
  });
  router.Get("/debug/crash", [](const HttpRequest&, HttpResponse&) { std::abort(); });
}

}  // namespace

void InstallBuiltinApp(Router& router, WorkerContext& context, const BuiltinAppOptions& options) {
  if (options.debug_endpoints) {
    InstallDebugRoutes(router);
    InstallDebugBusRoutes(router, context, options.ipc_max_message);
  }
  InstallBusRoutes(router, context, options.ipc_max_message, options.debug_endpoints);
  InstallStatsRoutes(router, context, options.debug_endpoints);
  InstallSessionRoutes(router, context, options.max_session_bytes);
  const pid_t pid = context.self.pid;
  router.Get("/", [pid](const HttpRequest&, HttpResponse& res) {
    absl::StrAppend(&res.body, "{\"worker\":", pid, "}");
  });
  router.Get("/health", [pid](const HttpRequest& req, HttpResponse& res) {
    // A draining worker says so, so load balancers stop routing to it.
    if (req.server_draining) res.status = 503;
    absl::StrAppend(&res.body, "{\"pid\":", pid, ",\"status\":\"",
                    req.server_draining ? "draining" : "ok", "\"}");
  });
  router.Handle("POST", "/echo", [pid](const HttpRequest& req, HttpResponse& res) {
    absl::StrAppend(&res.body, "{\"worker\":", pid, ",\"received\":", req.body.size(), "}");
  });
  router.GetPrefix("/delay/", [pid](const HttpRequest& req, HttpResponse& res) {
    int64_t ms = 0;
    const std::string_view arg = req.path().substr(std::string_view("/delay/").size());
    if (!absl::SimpleAtoi(Absl(arg), &ms) || ms < 0 || ms > kMaxDelayMs) {
      res = ErrorResponse(400);
      return;
    }
    absl::StrAppend(&res.body, "{\"worker\":", pid, ",\"delayed_ms\":", ms, "}");
    res.delay = absl::Milliseconds(ms);
  });
}

}  // namespace ringleader
