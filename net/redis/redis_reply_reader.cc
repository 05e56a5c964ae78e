// RedisReplyReader: hiredis's reader with our createArray and per-reply byte accounting.
#include "net/redis/redis_reply_reader.h"

#include <hiredis/hiredis.h>

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"

namespace ringleader {
namespace {

RedisReply Text(RedisReply::Type type, const redisReply& in) {
  RedisReply out;
  out.type = type;
  out.str.assign(in.str, in.len);
  return out;
}

// hiredis's objects become owned data; depth is bounded by hiredis (7 levels of nesting).
absl::StatusOr<RedisReply> Convert(const redisReply& in) {
  RedisReply out;
  switch (in.type) {
    case REDIS_REPLY_STRING:
      return Text(RedisReply::Type::kString, in);
    case REDIS_REPLY_STATUS:
      return Text(RedisReply::Type::kStatus, in);
    case REDIS_REPLY_ERROR:
      return Text(RedisReply::Type::kError, in);
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = in.integer;
      return out;
    case REDIS_REPLY_NIL:
      out.type = RedisReply::Type::kNil;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(in.elements);
      for (size_t i = 0; i < in.elements; ++i) {
        absl::StatusOr<RedisReply> element = Convert(*in.element[i]);
        if (!element.ok()) return element.status();
        out.elements.push_back(std::move(*element));
      }
      return out;
    default:  // hiredis's int codes, not our enum
      return absl::DataLossError(absl::StrCat("redis reply of unknown type ", in.type));
  }
}

}  // namespace

RedisReplyReader::RedisReplyReader(RedisReaderLimits limits) : limits_(limits) { Reset(); }

RedisReplyReader::~RedisReplyReader() {
  if (reader_ != nullptr) redisReaderFree(reader_);
}

void RedisReplyReader::Reset() noexcept {
  if (reader_ != nullptr) redisReaderFree(reader_);
  reader_ = redisReaderCreate();
  reply_bytes_ = 0;
  reply_table_bytes_ = 0;
  limit_hit_.clear();
  failure_ = absl::OkStatus();
  if (reader_ == nullptr) {
    failure_ = absl::ResourceExhaustedError("redis reader: out of memory");
    return;
  }
  functions_ = *reader_->fn;
  default_create_array_ = functions_.createArray;
  functions_.createArray = &RedisReplyReader::CreateArray;
  reader_->fn = &functions_;
  reader_->privdata = this;  // hiredis copies it into every read task
}

void* RedisReplyReader::CreateArray(const redisReadTask* task, int elements) {
  auto* self = static_cast<RedisReplyReader*>(task->privdata);
  const auto count = static_cast<size_t>(elements < 0 ? 0 : elements);
  if (count > self->limits_.max_array_elements) {
    self->limit_hit_ = absl::StrCat("redis reply array of ", count, " elements exceeds ",
                                    self->limits_.max_array_elements);
    return nullptr;  // hiredis reports out-of-memory and frees what it built
  }
  self->reply_table_bytes_ += count * sizeof(redisReply*);
  if (self->reply_table_bytes_ > self->limits_.max_reply_bytes) {
    self->limit_hit_ = absl::StrCat("redis reply arrays announce more than ",
                                    self->limits_.max_reply_bytes, " bytes of elements");
    return nullptr;
  }
  return self->default_create_array_(task, elements);
}

void RedisReplyReader::Feed(std::string_view bytes) noexcept {
  if (failed() || bytes.empty()) return;
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) {
    failure_ = absl::ResourceExhaustedError("redis reader: cannot buffer the reply");
    return;
  }
  reply_bytes_ += bytes.size();
}

absl::Status RedisReplyReader::Fail(absl::Status why) noexcept {
  failure_ = std::move(why);
  return failure_;
}

absl::StatusOr<std::optional<RedisReply>> RedisReplyReader::Next() noexcept {
  if (failed()) return failure_;
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    if (!limit_hit_.empty()) return Fail(absl::ResourceExhaustedError(limit_hit_));
    return Fail(absl::DataLossError(
        absl::StrCat("redis reply malformed: ", redisReaderGetError(reader_))));
  }
  // What is still buffered starts the next reply; the difference is this reply's size.
  const size_t unconsumed = reader_->len - reader_->pos;
  if (raw == nullptr) {
    if (reply_bytes_ > limits_.max_reply_bytes) {
      return Fail(absl::ResourceExhaustedError(absl::StrCat(
          "redis reply exceeds ", limits_.max_reply_bytes, " bytes before completing")));
    }
    return std::nullopt;
  }
  const size_t this_reply = reply_bytes_ - unconsumed;
  reply_bytes_ = unconsumed;
  reply_table_bytes_ = 0;
  absl::StatusOr<RedisReply> reply = Convert(*static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  if (this_reply > limits_.max_reply_bytes) {
    return Fail(absl::ResourceExhaustedError(
        absl::StrCat("redis reply of ", this_reply, " bytes exceeds ", limits_.max_reply_bytes)));
  }
  if (!reply.ok()) return Fail(reply.status());
  return std::optional<RedisReply>(std::move(*reply));
}

}  // namespace ringleader
