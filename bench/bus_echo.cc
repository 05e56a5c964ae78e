// End-to-end bus benchmark: a cluster whose workers keep IN_FLIGHT echo messages each going
// through the primary (worker → primary → same worker) for SECONDS, built on the public
// library API. The primary prints the total as its last line: "echoes/s: N".
//   build/release/bin/bus_echo --workers=2 --in_flight=64 --seconds=5
#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "cluster/cluster.h"
#include "ipc/worker_bus.h"

ABSL_FLAG(int, workers, 2, "Workers echoing through the primary");
ABSL_FLAG(int, in_flight, 64, "Echo messages each worker keeps in flight");
ABSL_FLAG(int, seconds, 5, "How long each worker echoes");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  ringleader::ClusterOptions options;
  options.workers = absl::GetFlag(FLAGS_workers);
  options.listen.host = "127.0.0.1";
  options.listen.port = 0;
  const int in_flight = absl::GetFlag(FLAGS_in_flight);
  const absl::Duration run_for = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  ringleader::Cluster cluster(argc, argv, options);

  // Primary: echo every ECHO back to its sender, unchanged; sum the DONE reports.
  int reports = 0;
  int64_t total = 0;
  cluster.OnPrimaryMessage("ECHO", [](const ringleader::Envelope& m, int from,
                                      ringleader::PrimaryBus& bus) { bus.SendToWorker(from, m.raw); });
  cluster.OnPrimaryMessage("DONE", [&](const ringleader::Envelope& m, int, ringleader::PrimaryBus&) {
    int64_t echoes = 0;
    (void)m.body["echoes"].get(echoes);
    total += echoes;
    if (++reports == options.workers) {
      std::printf("workers: %d, in flight per worker: %d, seconds: %lld\n", options.workers,
                  in_flight, static_cast<long long>(absl::ToInt64Seconds(run_for)));
      std::printf("echoes/s: %.0f\n", static_cast<double>(total) / absl::ToDoubleSeconds(run_for));
      std::fflush(stdout);
      ::kill(::getpid(), SIGTERM);  // graceful stop through the primary's own signal path
    }
  });

  // Worker: keep `in_flight` echoes circulating until the time is up, then report.
  cluster.OnWorkerStart([&](ringleader::Router&, ringleader::WorkerContext& context) {
    ringleader::WorkerBus& bus = context.bus;
    auto echoes = std::make_shared<int64_t>(0);
    auto deadline = std::make_shared<absl::Time>(absl::Now() + run_for);
    auto done = std::make_shared<bool>(false);
    bus.Subscribe("ECHO", [&bus, echoes, deadline, done](const ringleader::Envelope& m,
                                                         std::string_view raw) {
      if (*done) return;
      ++*echoes;
      if ((*echoes & 1023) == 0 && absl::Now() >= *deadline) {
        *done = true;
        bus.SendToPrimary(ringleader::MessageBuilder("DONE").Add("echoes", *echoes));
        return;
      }
      (void)m;
      bus.SendRaw(raw);
    });
    for (int i = 0; i < in_flight; ++i) {
      bus.SendToPrimary(ringleader::MessageBuilder("ECHO").Add("seq", i).AddString("pad", "0123456789"));
    }
  });
  return cluster.Run();
}
