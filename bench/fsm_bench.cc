// Lifecycle machine throughput: transitions per second through ApplyEvent, a full worker life
// (birth → online → listening → draining → dead), and trace-line formatting.
#include <benchmark/benchmark.h>

#include "fsm/lifecycle.h"
#include "fsm/trace.h"

namespace ringleader {
namespace {

void BM_ApplyEvent_AllPairs(benchmark::State& state) {
  int64_t transitions = 0;
  for (auto _ : state) {
    for (int s = 0; s < kWorkerStateCount; ++s) {
      for (int e = 0; e < kWorkerEventCount; ++e) {
        Step step = ApplyEvent(static_cast<WorkerState>(s), static_cast<WorkerEvent>(e));
        benchmark::DoNotOptimize(step);
        ++transitions;
      }
    }
  }
  state.SetItemsProcessed(transitions);
  state.counters["transitions/s"] =
      benchmark::Counter(static_cast<double>(transitions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ApplyEvent_AllPairs);

void BM_WorkerLifetime(benchmark::State& state) {
  constexpr WorkerEvent kLife[] = {WorkerEvent::kOnlineMessage, WorkerEvent::kListeningMessage,
                                   WorkerEvent::kDrainRequested, WorkerEvent::kExited};
  int64_t transitions = 0;
  for (auto _ : state) {
    WorkerState s = BirthStep().next;
    for (WorkerEvent e : kLife) {
      const Step step = ApplyEvent(s, e);
      s = step.next;
      benchmark::DoNotOptimize(s);
      ++transitions;
    }
  }
  state.counters["transitions/s"] =
      benchmark::Counter(static_cast<double>(transitions), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WorkerLifetime);

void BM_FormatTraceLine(benchmark::State& state) {
  TraceRecord r{.t_ns = 123456789012,
                .slot = 3,
                .generation = 7,
                .pid = 424242,
                .from = WorkerState::kOnline,
                .to = WorkerState::kListening,
                .event = WorkerEvent::kListeningMessage,
                .cause = "rolling restart"};
  for (auto _ : state) {
    std::string line = FormatTraceLine(r);
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatTraceLine);

}  // namespace
}  // namespace ringleader
