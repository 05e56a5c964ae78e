// AppendRedisCommand: argument vectors for redisFormatCommandArgv without a heap allocation for
// the usual short command.
#include "net/redis/redis_command.h"

#include <hiredis/hiredis.h>

#include "absl/container/inlined_vector.h"

namespace ringleader {

bool AppendRedisCommand(std::string& out, std::span<const std::string_view> args) noexcept {
  if (args.empty()) return false;
  absl::InlinedVector<const char*, 8> pointers;
  absl::InlinedVector<size_t, 8> lengths;
  for (std::string_view arg : args) {
    pointers.push_back(arg.empty() ? "" : arg.data());
    lengths.push_back(arg.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(args.size()),
                                            pointers.data(), lengths.data());
  if (length < 0 || formatted == nullptr) return false;
  out.append(formatted, static_cast<size_t>(length));
  redisFreeCommand(formatted);
  return true;
}

}  // namespace ringleader
