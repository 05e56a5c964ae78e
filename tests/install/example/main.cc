// The README's example server: 4 workers answering GET /hello with their pid. PORT (default
// 8080) and HOST (default 0.0.0.0) say where it listens, so a test can put it on a free
// loopback port.
#include <cstdlib>
#include <string>

#include "cluster/cluster.h"

int main(int argc, char** argv) {
  ringleader::ClusterOptions options;
  options.workers = 4;
  const char* port = std::getenv("PORT");
  options.listen.port = port != nullptr ? static_cast<uint16_t>(std::atoi(port)) : 8080;
  if (const char* host = std::getenv("HOST"); host != nullptr) options.listen.host = host;
  ringleader::Cluster cluster(argc, argv, options);
  cluster.OnWorkerStart([](ringleader::Router& router, ringleader::WorkerContext& ctx) {
    router.Get("/hello", [pid = ctx.self.pid](const ringleader::HttpRequest& req,
                                              ringleader::HttpResponse& res) {
      res.Json(200, "{\"hello\":\"" + std::string(req.path()) + "\",\"worker\":" +
                        std::to_string(pid) + "}");
    });
  });
  cluster.OnTransition([](const ringleader::TraceRecord& r) {
    if (r.to == ringleader::WorkerState::kDead) { /* alert, count, ... */ }
  });
  return cluster.Run();  // primary: supervise until SIGTERM; worker: serve until drained
}
