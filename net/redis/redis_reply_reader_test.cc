// Unit tests for the RESP pieces without sockets: RedisReplyReader (every reply type, every
// split point, the limits against hostile input), AppendRedisCommand and ParseRedisAddress.
#include "net/redis/redis_reply_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/redis/redis_command.h"
#include "net/redis/redis_options.h"

namespace ringleader {
namespace {

// Feeds `wire` in chunks of `chunk` bytes and collects replies until an error or the end.
struct Parsed {
  std::vector<RedisReply> replies;
  absl::Status status;
};
Parsed ParseInChunks(std::string_view wire, size_t chunk, RedisReaderLimits limits = {}) {
  RedisReplyReader reader(limits);
  Parsed out;
  for (size_t at = 0; at < wire.size(); at += chunk) {
    reader.Feed(wire.substr(at, chunk));
    while (true) {
      auto next = reader.Next();
      if (!next.ok()) {
        out.status = next.status();
        return out;
      }
      if (!next->has_value()) break;
      out.replies.push_back(std::move(**next));
    }
  }
  return out;
}

TEST(RedisReplyReaderTest, EveryTypeAtEverySplit) {
  std::string exact = "+OK\r\n-ERR wrong type\r\n:42\r\n$5\r\nhe";
  exact.push_back('\0');
  exact += "lo\r\n$-1\r\n*2\r\n$1\r\na\r\n:-7\r\n*0\r\n";
  for (size_t chunk = 1; chunk <= exact.size(); ++chunk) {
    Parsed p = ParseInChunks(exact, chunk);
    ASSERT_TRUE(p.status.ok()) << p.status;
    ASSERT_EQ(p.replies.size(), 7u) << "chunk " << chunk;
    EXPECT_EQ(p.replies[0].type, RedisReply::Type::kStatus);
    EXPECT_EQ(p.replies[0].str, "OK");
    EXPECT_EQ(p.replies[1].type, RedisReply::Type::kError);
    EXPECT_EQ(p.replies[1].str, "ERR wrong type");
    EXPECT_EQ(p.replies[2].integer, 42);
    EXPECT_EQ(p.replies[3].str, std::string("he\0lo", 5));
    EXPECT_EQ(p.replies[4].type, RedisReply::Type::kNil);
    ASSERT_EQ(p.replies[5].elements.size(), 2u);
    EXPECT_EQ(p.replies[5].elements[0].str, "a");
    EXPECT_EQ(p.replies[5].elements[1].integer, -7);
    EXPECT_EQ(p.replies[6].type, RedisReply::Type::kArray);
    EXPECT_TRUE(p.replies[6].elements.empty());
  }
}

TEST(RedisReplyReaderTest, MalformedIsDataLossAndSticky) {
  RedisReplyReader reader({});
  reader.Feed("!bogus\r\n");
  auto next = reader.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kDataLoss) << next.status();
  reader.Feed("+OK\r\n");
  EXPECT_FALSE(reader.Next().ok());
  reader.Reset();
  reader.Feed("+OK\r\n");
  auto again = reader.Next();
  ASSERT_TRUE(again.ok() && again->has_value());
}

TEST(RedisReplyReaderTest, HugeArrayHeaderIsRefusedWithoutAllocating) {
  Parsed p = ParseInChunks("*2000000000\r\n", 64);
  EXPECT_EQ(p.status.code(), absl::StatusCode::kResourceExhausted) << p.status;
  EXPECT_NE(p.status.message().find("2000000000"), std::string_view::npos) << p.status;
}

TEST(RedisReplyReaderTest, ArrayJustUnderTheLimitIsFine) {
  std::string wire = "*3\r\n:1\r\n:2\r\n:3\r\n";
  Parsed p = ParseInChunks(wire, wire.size(), {.max_reply_bytes = 1024, .max_array_elements = 3});
  ASSERT_TRUE(p.status.ok()) << p.status;
  ASSERT_EQ(p.replies.size(), 1u);
  p = ParseInChunks(wire, wire.size(), {.max_reply_bytes = 1024, .max_array_elements = 2});
  EXPECT_EQ(p.status.code(), absl::StatusCode::kResourceExhausted);
}

TEST(RedisReplyReaderTest, NestedTablesShareTheByteBudget) {
  // Each "*1000" costs 7 wire bytes but 8,000 bytes of element table: the budget catches it.
  std::string wire;
  for (int i = 0; i < 7; ++i) wire += "*1000\r\n";
  Parsed p = ParseInChunks(wire, wire.size(), {.max_reply_bytes = 20000, .max_array_elements = 1000});
  EXPECT_EQ(p.status.code(), absl::StatusCode::kResourceExhausted) << p.status;
}

TEST(RedisReplyReaderTest, NestingDeeperThanHiredisIsDataLoss) {
  std::string wire;
  for (int i = 0; i < 12; ++i) wire += "*1\r\n";
  wire += ":1\r\n";
  Parsed p = ParseInChunks(wire, 3);
  EXPECT_EQ(p.status.code(), absl::StatusCode::kDataLoss) << p.status;
}

TEST(RedisReplyReaderTest, EndlessBulkStringStopsAtTheLimit) {
  RedisReplyReader reader({.max_reply_bytes = 4096, .max_array_elements = 16});
  reader.Feed("$100000000\r\n");
  const std::string chunk(1024, 'x');
  absl::Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    reader.Feed(chunk);
    auto next = reader.Next();
    if (!next.ok()) status = next.status();
    EXPECT_LE(reader.partial_reply_bytes(), 4096u + chunk.size());
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
}

TEST(RedisReplyReaderTest, AReplyArrivingWholeIsStillMeasured) {
  const std::string big = "$5000\r\n" + std::string(5000, 'y') + "\r\n";
  Parsed p = ParseInChunks(big, big.size(), {.max_reply_bytes = 4096, .max_array_elements = 16});
  EXPECT_EQ(p.status.code(), absl::StatusCode::kResourceExhausted) << p.status;
  // The same bytes as many small replies are fine: the budget is per reply.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "+OK\r\n";
  p = ParseInChunks(many, many.size(), {.max_reply_bytes = 64, .max_array_elements = 16});
  ASSERT_TRUE(p.status.ok()) << p.status;
  EXPECT_EQ(p.replies.size(), 1000u);
}

TEST(RedisCommandTest, FormatsBinarySafeBulkStrings) {
  std::string out;
  ASSERT_TRUE(AppendRedisCommand(out, {"SET", "k", std::string_view("a\0b", 3), ""}));
  static constexpr char kWire[] = "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n$0\r\n\r\n";
  EXPECT_EQ(out, std::string(kWire, sizeof kWire - 1));
  EXPECT_FALSE(AppendRedisCommand(out, std::span<const std::string_view>()));
}

TEST(RedisCommandTest, ACommandParsesBackAsAnArray) {
  std::string out;
  AppendRedisCommand(out, {"GET", "key"});
  Parsed p = ParseInChunks(out, 1);
  ASSERT_EQ(p.replies.size(), 1u);
  ASSERT_EQ(p.replies[0].elements.size(), 2u);
  EXPECT_EQ(p.replies[0].elements[1].str, "key");
}

TEST(ParseRedisAddressTest, LiteralsAndNames) {
  auto v4 = ParseRedisAddress("127.0.0.1:6380");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 6380);
  auto v6 = ParseRedisAddress("[::1]:6379");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  auto name = ParseRedisAddress("localhost:6379");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_TRUE(name->host == "127.0.0.1" || name->host == "::1") << name->host;
  EXPECT_EQ(ParseRedisAddress("127.0.0.1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisAddress("127.0.0.1:0").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisAddress("127.0.0.1:70000").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseRedisAddress(":6379").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseRedisAddress("no-such-host.invalid:6379").ok());
}

}  // namespace
}  // namespace ringleader
