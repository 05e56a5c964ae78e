// RedisReplyReader: hiredis's RESP reader behind limits a hostile server cannot get around.
//
//   RedisReplyReader reader({.max_reply_bytes = 1 << 20, .max_array_elements = 1024});
//   reader.Feed(std::string_view(buffer, received));
//   while (true) {
//     absl::StatusOr<std::optional<RedisReply>> next = reader.Next();
//     if (!next.ok()) return Close(next.status());   // the stream is broken for good
//     if (!next->has_value()) break;                  // needs more bytes
//     Deliver(std::move(**next));
//   }
//
// hiredis 0.14 trusts the peer: an array header "*2000000000\r\n" makes its createArray calloc
// the announced count, and a bulk string or an unfinished array is buffered however long it
// grows. This wrapper swaps in its own createArray (through a copy of the reader's function
// table) that refuses arrays over max_array_elements and element tables over the reply's byte
// budget, and counts the bytes of the reply being parsed, so memory per reader stays within
// max_reply_bytes plus one Feed(). Only hiredis's reader is used here, never its I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <hiredis/read.h>

#include "absl/status/statusor.h"
#include "net/redis/redis_reply.h"

namespace ringleader {

struct RedisReaderLimits {
  // Bytes one reply may span on the wire, and also the budget for its element tables
  // (8 bytes per announced element): nested arrays cannot multiply allocations past it.
  size_t max_reply_bytes = 1 << 20;
  size_t max_array_elements = 1024;  // per array header
};

class RedisReplyReader {
 public:
  explicit RedisReplyReader(RedisReaderLimits limits);
  ~RedisReplyReader();
  RedisReplyReader(const RedisReplyReader&) = delete;
  RedisReplyReader& operator=(const RedisReplyReader&) = delete;

  // Appends bytes received from the server. Ignored once the reader has failed.
  void Feed(std::string_view bytes) noexcept;
  // The next complete reply; nullopt when it needs more bytes. An error is sticky until
  // Reset(): DataLoss for a malformed stream (hiredis's protocol errors, nesting deeper than it
  // supports), ResourceExhausted for a reply over the limits.
  absl::StatusOr<std::optional<RedisReply>> Next() noexcept;
  // Forgets everything buffered and any failure: a new connection starts a new stream.
  void Reset() noexcept;

  bool failed() const noexcept { return !failure_.ok(); }
  // Bytes of the current, incomplete reply (buffered or already parsed).
  size_t partial_reply_bytes() const noexcept { return reply_bytes_; }

 private:
  // hiredis's createArray, through our function table: checks the limits, then delegates.
  static void* CreateArray(const redisReadTask* task, int elements);
  absl::Status Fail(absl::Status why) noexcept;

  RedisReaderLimits limits_;
  redisReader* reader_ = nullptr;
  // Our copy of the reader's function table (hiredis's default one is shared and static), and
  // the createArray it replaces.
  redisReplyObjectFunctions functions_{};
  void* (*default_create_array_)(const redisReadTask*, int) = nullptr;
  size_t reply_bytes_ = 0;        // wire bytes from the start of the current reply to the end
  size_t reply_table_bytes_ = 0;  // element tables allocated for the current reply
  std::string limit_hit_;         // why CreateArray refused, for the Status
  absl::Status failure_;
};

}  // namespace ringleader
