// Slot supervision throughput: fleet steps per second through a whole rolling restart of eight
// slots (request, each replacement listening, the stagger, the old workers' exits), and a crash
// answered by a restart.
#include <benchmark/benchmark.h>

#include "fsm/fleet.h"

namespace ringleader {
namespace {

constexpr int kSlots = 8;

void BM_RolloutOfEightSlots(benchmark::State& state) {
  Fleet fleet({}, 1);
  fleet.Start(kSlots);
  int pid = 1000;
  for (int s = 0; s < kSlots; ++s) fleet.WorkerListening(s, fleet.slot(s).current(), ++pid);
  int64_t steps = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fleet.RolloutRequested("SIGUSR2"));
    ++steps;
    for (int s = 0; s < kSlots; ++s) {
      const uint32_t old = fleet.slot(s).current();
      benchmark::DoNotOptimize(fleet.WorkerListening(s, fleet.slot(s).incoming(), ++pid));
      benchmark::DoNotOptimize(
          fleet.WorkerExited(s, {.generation = old, .pid = pid, .status = "code 0"}));
      benchmark::DoNotOptimize(fleet.StaggerElapsed());
      steps += 3;
    }
  }
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_RolloutOfEightSlots);

void BM_CrashAndRestart(benchmark::State& state) {
  Fleet fleet({}, 1);
  fleet.Start(1);
  int64_t steps = 0;
  for (auto _ : state) {
    const WorkerExit exit{.generation = fleet.slot(0).current(), .pid = 7, .status = "SIGKILL",
                          .ever_listened = true, .uptime = absl::Minutes(1)};
    benchmark::DoNotOptimize(fleet.WorkerExited(0, exit));
    ++steps;
  }
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CrashAndRestart);

}  // namespace
}  // namespace ringleader
