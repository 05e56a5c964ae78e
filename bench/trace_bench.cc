// Trace parsing throughput (records/s). Placeholder until ringleader-trace lands.
#include <benchmark/benchmark.h>

#include "fsm/trace.h"

static void BM_ParseTraceLine(benchmark::State& state) {
  const std::string line =
      "{\"t_ns\":1,\"slot\":0,\"gen\":1,\"pid\":2,\"from\":null,\"to\":\"forking\","
      "\"event\":\"forked\",\"cause\":\"start\"}";
  for (auto _ : state) benchmark::DoNotOptimize(ringleader::ParseTraceLine(line));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseTraceLine);
