// libFuzzer target for RedisReplyReader: arbitrary server bytes, in arbitrary chunkings, under
// small limits. Checks that it never crashes and never holds more than the limit plus a chunk.
//
//   build/dev/bin/redis_reply_fuzz -max_total_time=600 /tmp/corpus net/redis/fuzz/redis_corpus
//
// The first input byte picks the chunk size (1..256), the second the limits, so one input
// exercises many split points and both the byte and the element budget. hiredis itself is the
// system library (not instrumented): coverage guides through our wrapper and its callbacks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/redis/redis_reply_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringleader;
  if (size < 2) return 0;
  const size_t chunk = static_cast<size_t>(data[0]) + 1;
  const RedisReaderLimits limits = {
      .max_reply_bytes = (data[1] & 1) != 0 ? size_t{256} : size_t{64 * 1024},
      .max_array_elements = (data[1] & 2) != 0 ? size_t{4} : size_t{1024},
  };
  RedisReplyReader reader(limits);
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);
  for (size_t at = 0; at < wire.size(); at += chunk) {
    reader.Feed(wire.substr(at, chunk));
    while (true) {
      auto next = reader.Next();
      if (!next.ok()) return 0;  // sticky: a real connection closes here
      if (!next->has_value()) break;
      if ((*next)->type == RedisReply::Type::kArray &&
          (*next)->elements.size() > limits.max_array_elements) {
        std::abort();
      }
    }
    if (reader.partial_reply_bytes() > limits.max_reply_bytes + chunk) std::abort();
  }
  return 0;
}
