// Shared region per operation: counter Add (alone, and from 2 threads on one counter), table Put
// (update in place) and Get (hit), all on a region mapped in this process.
//   build/release/bin/shared_state_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "ipc/shared_state.h"

namespace ringleader {
namespace {

SharedRegion& Region() {
  // One region for every benchmark: creating it costs a memfd and an mmap, not what we measure.
  static SharedRegion* region = [] {
    auto created = SharedRegion::Create();
    if (!created.ok()) std::abort();
    return new SharedRegion(std::move(created).value());
  }();
  return *region;
}

void BM_CounterAdd(benchmark::State& state) {
  SharedCounter counter = *Region().Counter(static_cast<size_t>(state.thread_index()));
  for (auto _ : state) benchmark::DoNotOptimize(counter.Add());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAdd);

// Both threads on counter 63: the cache line bounces between the cores.
void BM_CounterAddContended(benchmark::State& state) {
  SharedCounter counter = *Region().Counter(kSharedCounters - 1);
  for (auto _ : state) benchmark::DoNotOptimize(counter.Add());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAddContended)->Threads(2)->UseRealTime();

void BM_Put(benchmark::State& state) {
  SharedTable table = Region().Table();
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  for (auto _ : state) {
    if (!table.Put("bench:put", value).ok()) state.SkipWithError("Put failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Put)->Arg(16)->Arg(kSharedMaxValueBytes);

void BM_Get(benchmark::State& state) {
  SharedTable table = Region().Table();
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  if (!table.Put("bench:get", value).ok()) state.SkipWithError("Put failed");
  for (auto _ : state) benchmark::DoNotOptimize(table.Get("bench:get"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Arg(16)->Arg(kSharedMaxValueBytes);

}  // namespace
}  // namespace ringleader
