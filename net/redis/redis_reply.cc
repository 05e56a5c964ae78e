// RedisReplyTypeName: the one formatter for reply types.
#include "net/redis/redis_reply.h"

namespace ringleader {

const char* RedisReplyTypeName(RedisReply::Type type) noexcept {
  switch (type) {
    case RedisReply::Type::kString:
      return "string";
    case RedisReply::Type::kStatus:
      return "status";
    case RedisReply::Type::kError:
      return "error";
    case RedisReply::Type::kInteger:
      return "integer";
    case RedisReply::Type::kNil:
      return "nil";
    case RedisReply::Type::kArray:
      return "array";
  }
  return "unknown";
}

}  // namespace ringleader
