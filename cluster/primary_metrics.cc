// GET /metrics on --metrics_port: the status snapshot in the Prometheus text format, served by
// an HttpServer on the primary's own ring (no thread, no worker involved). Part of Primary.
#include "cluster/log_lines.h"
#include "cluster/primary.h"
#include "cluster/prometheus.h"
#include "core/status.h"
#include "net/listener.h"

namespace ringleader {

absl::Status Primary::OpenMetrics() {
  if (options_.metrics_port < 0) return absl::OkStatus();
  ListenOptions listen = options_.listen;
  listen.port = static_cast<uint16_t>(options_.metrics_port);
  listen.reuse_port = false;
  RL_ASSIGN_OR_RETURN(metrics_listener_, OpenListener(listen));
  metrics_router_ = std::make_unique<Router>();
  metrics_router_->Get("/metrics", [this](const HttpRequest&, HttpResponse& res) {
    res.body = PrometheusText(Status());
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  });
  // A scraper or two: a small buffer ring (the workers' default is 1024 buffers).
  HttpServerOptions http;
  http.buffer_count = 16;
  http.max_connections = 64;
  RL_ASSIGN_OR_RETURN(metrics_server_, HttpServer::Create(*ring_, metrics_listener_.get(),
                                                          *metrics_router_, http));
  metrics_server_->Start();
  RL_ASSIGN_OR_RETURN(uint16_t port, LocalPort(metrics_listener_.get()));
  LogMetricsServing(options_.listen.host, port);
  return absl::OkStatus();
}

bool Primary::MetricsStopped() noexcept {
  if (metrics_server_ == nullptr || metrics_drained_) return true;
  metrics_server_->Drain([this] {
    metrics_drained_ = true;
    MaybeFinish();
  });
  return false;
}

}  // namespace ringleader
