// libFuzzer target over what the primary does with bytes from a worker: frame decoding (in
// arbitrary chunks), message validation and envelope reading, and the routing check.
//
//   build/dev/bin/bus_message_fuzz -max_total_time=600 /tmp/corpus ipc/fuzz/bus_corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ipc/bus_route.h"
#include "ipc/frame.h"
#include "ipc/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringleader;
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 97;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  FrameDecoder decoder(/*max_payload=*/256);
  MessageReader reader;
  while (!input.empty() && !decoder.corrupt()) {
    const size_t n = std::min(chunk, input.size());
    decoder.Feed(input.substr(0, n));
    input.remove_prefix(n);
    while (auto frame = decoder.Next()) {
      if (frame->size() > 256) std::abort();  // oversize frames must never be delivered
      auto envelope = reader.Read(*frame);
      if (!envelope.ok()) continue;
      const bool routed = CheckRoute(*envelope, /*sender_slot=*/1).ok();
      if (routed && envelope->to == Destination::kSlot && envelope->to_slot < 0) std::abort();
    }
  }
  return 0;
}
