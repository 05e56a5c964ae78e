// RedisReply: one RESP reply as plain owned data, detached from hiredis's objects.
//
//   if (reply.type == RedisReply::Type::kString) Use(reply.str);
//   if (reply.type == RedisReply::Type::kArray) for (const RedisReply& e : reply.elements) ...
//
// A Redis error reply ("-ERR ...") is a reply like any other (Type::kError, text in `str`): the
// server answered, the connection is healthy. Transport and protocol failures are a Status.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"

namespace ringleader {

struct RedisReply {
  enum class Type { kString, kStatus, kError, kInteger, kNil, kArray };

  Type type = Type::kNil;
  std::string str;                   // kString (bulk), kStatus ("OK"), kError ("ERR ...")
  int64_t integer = 0;               // kInteger
  std::vector<RedisReply> elements;  // kArray
};

// How a call's outcome is delivered: a reply, or why there is none.
using RedisCallback = absl::AnyInvocable<void(absl::StatusOr<RedisReply>) noexcept>;

// "string", "status", ...: for messages and test output.
const char* RedisReplyTypeName(RedisReply::Type type) noexcept;

}  // namespace ringleader
