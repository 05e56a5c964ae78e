// Bus components per message: encode (builder + frame), decode (frames + validation +
// envelope), and the routing check; plus a primary-like forward of a 16 KiB read.
#include <benchmark/benchmark.h>

#include <string>

#include "ipc/bus_route.h"
#include "ipc/frame.h"
#include "ipc/message.h"

namespace ringleader {
namespace {

const std::string kEcho = R"({"type":"ECHO","seq":12345,"pad":"0123456789"})";

void BM_Encode(benchmark::State& state) {
  std::string wire;
  for (auto _ : state) {
    wire.clear();
    AppendFrame(wire, MessageBuilder("ECHO").Add("seq", 12345).AddString("pad", "0123456789").Build());
    benchmark::DoNotOptimize(wire.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Encode);

void BM_DecodeAndRead(benchmark::State& state) {
  std::string wire;
  constexpr int kPerRead = 256;  // what one 16 KiB channel read holds
  for (int i = 0; i < kPerRead; ++i) AppendFrame(wire, kEcho);
  FrameDecoder decoder(64 * 1024);
  MessageReader reader;
  for (auto _ : state) {
    decoder.Feed(wire);
    while (auto frame = decoder.Next()) {
      auto e = reader.Read(*frame);
      benchmark::DoNotOptimize(e);
    }
  }
  state.SetItemsProcessed(state.iterations() * kPerRead);
}
BENCHMARK(BM_DecodeAndRead);

void BM_Route(benchmark::State& state) {
  MessageReader reader;
  const std::string routed = R"({"type":"N","to":3,"from":1,"data":"x"})";
  auto e = reader.Read(routed);
  for (auto _ : state) benchmark::DoNotOptimize(CheckRoute(*e, 1));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Route);

}  // namespace
}  // namespace ringleader
