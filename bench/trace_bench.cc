// Trace reading throughput, in records per second: parsing trace lines with simdjson (a parser
// per line, as ParseTraceLine does, and one reused TraceParser, as ringleader-trace does), and
// parsing plus replaying every record through the TraceChecker (`ringleader-trace --check`).
//
//   build/release/bin/trace_bench            # records/s is the "items_per_second" column
//
// The input is a synthetic trace shaped like a real one: 64 slots going through start-up, ten
// rolling restarts and a shutdown, with the causes ringleader writes (3,520 records).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "fsm/trace.h"
#include "fsm/trace_check.h"

namespace ringleader {
namespace {

constexpr int kSlots = 64;
constexpr int kRollouts = 10;

std::vector<std::string> MakeTrace() {
  std::vector<std::string> lines;
  int64_t t = 570'375'740'093;
  int next_pid = 3000;
  std::vector<int> pid(kSlots);
  const auto emit = [&](int slot, uint32_t gen, int p, std::optional<WorkerState> from,
                        WorkerState to, WorkerEvent event, std::string cause) {
    t += 1'234'567;
    lines.push_back(FormatTraceLine({t, slot, gen, p, from, to, event, std::move(cause)}));
  };
  const auto start = [&](int slot, uint32_t gen, const char* cause) {
    pid[static_cast<size_t>(slot)] = next_pid++;
    const int p = pid[static_cast<size_t>(slot)];
    emit(slot, gen, p, std::nullopt, WorkerState::kForking, WorkerEvent::kForked, cause);
    emit(slot, gen, p, WorkerState::kForking, WorkerState::kOnline, WorkerEvent::kOnlineMessage,
         "");
    emit(slot, gen, p, WorkerState::kOnline, WorkerState::kListening,
         WorkerEvent::kListeningMessage, "");
  };
  const auto stop = [&](int slot, uint32_t gen, int p, std::string why) {
    emit(slot, gen, p, WorkerState::kListening, WorkerState::kDraining,
         WorkerEvent::kDrainRequested, std::move(why));
    emit(slot, gen, p, WorkerState::kDraining, WorkerState::kDead, WorkerEvent::kExited, "code 0");
  };
  for (int s = 0; s < kSlots; ++s) start(s, 1, "start");
  for (uint32_t gen = 2; gen <= kRollouts + 1; ++gen) {
    for (int s = 0; s < kSlots; ++s) {
      const int old = pid[static_cast<size_t>(s)];
      start(s, gen, "rolling restart");
      stop(s, gen - 1, old,
           "rolling restart: replaced by pid " + std::to_string(pid[static_cast<size_t>(s)]));
    }
  }
  for (int s = 0; s < kSlots; ++s)
    stop(s, kRollouts + 1, pid[static_cast<size_t>(s)], "shutdown (SIGTERM)");
  return lines;
}

void Report(benchmark::State& state, int64_t records, int64_t bytes) {
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}

int64_t Bytes(const std::vector<std::string>& lines) {
  int64_t n = 0;
  for (const std::string& line : lines) n += static_cast<int64_t>(line.size());
  return n;
}

// The one-off API: a fresh simdjson parser (and its buffers) for every line.
void BM_ParseTraceLine_OneOff(benchmark::State& state) {
  const std::vector<std::string> lines = MakeTrace();
  for (auto _ : state) {
    for (const std::string& line : lines) {
      auto record = ParseTraceLine(line);
      benchmark::DoNotOptimize(record);
    }
  }
  Report(state, state.iterations() * static_cast<int64_t>(lines.size()),
         state.iterations() * Bytes(lines));
}
BENCHMARK(BM_ParseTraceLine_OneOff);

// One TraceParser for the whole file: its simdjson buffers are reused line after line.
void BM_TraceParser_Reused(benchmark::State& state) {
  const std::vector<std::string> lines = MakeTrace();
  TraceParser parser;
  int64_t failed = 0;
  for (auto _ : state) {
    for (const std::string& line : lines) {
      auto record = parser.Parse(line);
      failed += record.ok() ? 0 : 1;
      benchmark::DoNotOptimize(record);
    }
  }
  if (failed > 0) state.SkipWithError("a synthetic line did not parse");
  Report(state, state.iterations() * static_cast<int64_t>(lines.size()),
         state.iterations() * Bytes(lines));
}
BENCHMARK(BM_TraceParser_Reused);

// What `ringleader-trace --check` does per record: parse, then replay through the checker.
void BM_ParseAndCheck(benchmark::State& state) {
  const std::vector<std::string> lines = MakeTrace();
  TraceParser parser;
  bool clean = true;
  for (auto _ : state) {
    TraceChecker checker;
    int line_number = 0;
    for (const std::string& line : lines) checker.Add(++line_number, parser.Parse(line));
    checker.Finish({});
    clean = clean && checker.ok();
    benchmark::DoNotOptimize(checker);
  }
  if (!clean) state.SkipWithError("the synthetic trace has violations");
  Report(state, state.iterations() * static_cast<int64_t>(lines.size()),
         state.iterations() * Bytes(lines));
}
BENCHMARK(BM_ParseAndCheck);

}  // namespace
}  // namespace ringleader
