// The Redis client's CPU work without sockets: parsing replies through RedisReplyReader (hiredis
// under our limits, converted to owned RedisReply values) and formatting commands. Replies are
// fed as a pipelined burst of 100 per Feed, the way a busy connection receives them. Last, when
// /usr/bin/redis-server exists, round trips through the ring to a real server on loopback:
// GETs of a 200-byte value, 1 or 100 in flight, over a pool of 2 connections.
//
//   build/release/bin/redis_bench
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "core/ring.h"
#include "core/ring_test_util.h"
#include "net/redis/redis_client.h"
#include "net/redis/redis_command.h"
#include "net/redis/redis_reply_reader.h"
#include "net/redis/redis_server_process_for_test.h"

namespace ringleader {
namespace {

// 100 replies of one shape, back to back.
std::string Burst(const std::string& reply) {
  std::string wire;
  for (int i = 0; i < 100; ++i) wire += reply;
  return wire;
}

void ParseBurst(benchmark::State& state, const std::string& wire) {
  RedisReplyReader reader({});
  for (auto _ : state) {
    reader.Feed(wire);
    int replies = 0;
    while (true) {
      auto next = reader.Next();
      if (!next.ok() || !next->has_value()) break;
      benchmark::DoNotOptimize(**next);
      ++replies;
    }
    if (replies != 100) state.SkipWithError("lost replies");
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(wire.size()));
}

void BM_ParseStatusOk(benchmark::State& state) { ParseBurst(state, Burst("+OK\r\n")); }
BENCHMARK(BM_ParseStatusOk);

// A session GET: a 200-byte JSON document as a bulk string.
void BM_ParseBulk200(benchmark::State& state) {
  ParseBurst(state, Burst("$200\r\n" + std::string(200, 'j') + "\r\n"));
}
BENCHMARK(BM_ParseBulk200);

void BM_ParseArray10(benchmark::State& state) {
  std::string reply = "*10\r\n";
  for (int i = 0; i < 10; ++i) reply += "$8\r\nvalue-0" + std::to_string(i) + "\r\n";
  ParseBurst(state, Burst(reply));
}
BENCHMARK(BM_ParseArray10);

void BM_FormatSetEx(benchmark::State& state) {
  const std::string key = "session:0123456789abcdef";
  const std::string value(200, 'j');
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendRedisCommand(out, {"SET", key, value, "EX", "3600"});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatSetEx);

void BM_FormatGet(benchmark::State& state) {
  const std::string key = "session:0123456789abcdef";
  std::string out;
  for (auto _ : state) {
    out.clear();
    AppendRedisCommand(out, {"GET", key});
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatGet);

void BM_RoundTripGet(benchmark::State& state) {
  if (!RedisServerProcess::Available()) return state.SkipWithError("no redis-server");
  RedisServerProcess server;
  if (!server.Start()) return state.SkipWithError("redis-server did not start");
  auto ring = Ring::Create();
  if (!ring.ok()) return state.SkipWithError("no io_uring");
  RedisOptions options;
  options.port = server.port();
  RedisClient client(options);
  client.Start(**ring);
  const int depth = static_cast<int>(state.range(0));
  int remaining = 0;
  int failed = 0;
  const auto call = [&](std::initializer_list<std::string_view> args) {
    ++remaining;
    client.Call(args, [&](absl::StatusOr<RedisReply> reply) noexcept {
      if (!reply.ok()) ++failed;
      if (--remaining == 0) (*ring)->Stop();
    });
  };
  const std::string value(200, 'j');
  // The first call waits for the connections; then the value is in place.
  absl::Status loop;
  const auto run = [&] {
    while (remaining > 0 && loop.ok()) loop = (*ring)->Run();
  };
  call({"SET", "session:bench", value});
  run();
  for (auto _ : state) {
    for (int i = 0; i < depth; ++i) call({"GET", "session:bench"});
    run();
  }
  if (!loop.ok()) state.SkipWithError("the ring failed");
  if (failed > 0) state.SkipWithError("calls failed");
  state.SetItemsProcessed(state.iterations() * depth);
  client.Stop();
  RunRingUntil(**ring, [&] { return !client.in_flight(); });
}
BENCHMARK(BM_RoundTripGet)->Arg(1)->Arg(100)->UseRealTime();

}  // namespace
}  // namespace ringleader
