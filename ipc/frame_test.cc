// Unit tests for ipc/frame.h: length-prefixed framing, incremental decoding and its limits.
#include "ipc/frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringleader {
namespace {

std::string Frame(std::string_view payload) {
  std::string wire;
  AppendFrame(wire, payload);
  return wire;
}

// Every frame currently available, copied out.
std::vector<std::string> Drain(FrameDecoder& decoder) {
  std::vector<std::string> out;
  while (auto frame = decoder.Next()) out.emplace_back(*frame);
  return out;
}

TEST(AppendFrameTest, WritesMagicThenLittleEndianLengthThenPayload) {
  EXPECT_EQ(Frame("hello"), std::string("\xb5\x05\x00\x00hello", 9));
  const std::string big(0x0102 + 0x030000, 'x');  // 0x030102 bytes
  const std::string wire = Frame(big);
  ASSERT_EQ(wire.size(), kFrameHeaderBytes + big.size());
  EXPECT_EQ(wire.substr(0, 4), std::string("\xb5\x02\x01\x03", 4));
  EXPECT_EQ(Frame(""), std::string("\xb5\0\0\0", 4));
}

TEST(AppendFrameTest, AppendsToExistingBytes) {
  std::string wire = "abc";
  AppendFrame(wire, "z");
  EXPECT_EQ(wire, std::string("abc\xb5\x01\x00\x00z", 8));
}

TEST(FrameDecoderTest, OneFrame) {
  FrameDecoder decoder(1024);
  decoder.Feed(Frame(R"({"type":"online"})"));
  auto frame = decoder.Next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(*frame, R"({"type":"online"})");
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered(), 0u);
  EXPECT_FALSE(decoder.corrupt());
}

TEST(FrameDecoderTest, ManyFramesInOneFeedArriveInOrder) {
  std::string wire;
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    sent.push_back("message-" + std::to_string(i) + std::string(static_cast<size_t>(i % 7), '.'));
    AppendFrame(wire, sent.back());
  }
  FrameDecoder decoder(1024);
  decoder.Feed(wire);
  EXPECT_EQ(Drain(decoder), sent);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoderTest, FramesSplitByteByByte) {
  const std::vector<std::string> sent = {"first", "", "third frame", std::string(300, 'q')};
  std::string wire;
  for (const auto& s : sent) AppendFrame(wire, s);
  FrameDecoder decoder(1024);
  std::vector<std::string> got;
  for (size_t i = 0; i < wire.size(); ++i) {
    decoder.Feed(std::string_view(&wire[i], 1));
    for (auto& f : Drain(decoder)) got.push_back(std::move(f));
    EXPECT_LE(decoder.buffered(), i + 1);
  }
  EXPECT_EQ(got, sent);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoderTest, PartialHeaderWaitsForMore) {
  const std::string wire = Frame("payload");
  FrameDecoder decoder(1024);
  decoder.Feed(wire.substr(0, 3));
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered(), 3u);
  EXPECT_FALSE(decoder.corrupt());
  decoder.Feed(wire.substr(3, 2));  // header complete, one payload byte
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered(), 5u);
  decoder.Feed(wire.substr(5));
  auto frame = decoder.Next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(*frame, "payload");
}

TEST(FrameDecoderTest, ZeroLengthPayload) {
  FrameDecoder decoder(16);
  decoder.Feed(Frame("") + Frame("after"));
  auto empty = decoder.Next();
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  auto next = decoder.Next();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, "after");
  EXPECT_FALSE(decoder.corrupt());
}

TEST(FrameDecoderTest, LengthAtTheLimitIsAccepted) {
  FrameDecoder decoder(8);
  decoder.Feed(Frame("12345678"));
  auto frame = decoder.Next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_EQ(*frame, "12345678");
  EXPECT_FALSE(decoder.corrupt());
}

TEST(FrameDecoderTest, OversizeFrameIsSkippedAndCountedAndTheStreamGoesOn) {
  FrameDecoder decoder(8);
  decoder.Feed(Frame("ok") + Frame("123456789") + Frame("later"));
  EXPECT_EQ(Drain(decoder), (std::vector<std::string>{"ok", "later"}));
  EXPECT_EQ(decoder.oversize_frames(), 1u);
  EXPECT_FALSE(decoder.corrupt());
}

TEST(FrameDecoderTest, OversizeFrameArrivingInPiecesIsSkippedWithoutBuffering) {
  FrameDecoder decoder(1024);
  const std::string wire = Frame(std::string(100000, 'z')) + Frame("after");
  for (size_t i = 0; i < wire.size(); i += 4096) {
    decoder.Feed(wire.substr(i, 4096));
    EXPECT_LE(decoder.buffered(), 4096u + kFrameHeaderBytes) << "oversize bytes must not pile up";
    if (i + 4096 < wire.size()) EXPECT_FALSE(decoder.Next().has_value());
  }
  auto after = decoder.Next();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(*after, "after");
  EXPECT_EQ(decoder.oversize_frames(), 1u);
}

TEST(FrameDecoderTest, MissingMagicIsCorruptAndStopsFrames) {
  FrameDecoder decoder(1024);
  decoder.Feed(Frame("ok") + std::string("\x05\x00\x00\x00hello", 9) + Frame("later"));
  auto first = decoder.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, "ok");
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_TRUE(decoder.corrupt());
  // Nothing after a bad header can be trusted, even well-formed frames.
  decoder.Feed(Frame("more"));
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_TRUE(decoder.corrupt());
}

TEST(FrameDecoderTest, BufferedCountsOnlyUnconsumedBytes) {
  const std::string a = Frame("aaaa");   // 8 bytes
  const std::string b = Frame("bbbbbb");  // 10 bytes
  FrameDecoder decoder(1024);
  EXPECT_EQ(decoder.buffered(), 0u);
  decoder.Feed(a + b.substr(0, 6));
  EXPECT_EQ(decoder.buffered(), 14u);  // nothing consumed yet
  ASSERT_TRUE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered(), 6u);  // the partial second frame
  EXPECT_FALSE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered(), 6u);
  decoder.Feed(b.substr(6));
  EXPECT_EQ(decoder.buffered(), 10u);
  ASSERT_TRUE(decoder.Next().has_value());
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoderTest, PayloadViewsStayValidUntilNextFeed) {
  FrameDecoder decoder(1 << 20);
  const std::string big(60 * 1024, 'B');
  decoder.Feed(Frame("small") + Frame(big) + Frame("tail"));
  auto small = decoder.Next();
  auto large = decoder.Next();
  auto tail = decoder.Next();
  ASSERT_TRUE(small && large && tail);
  // All three views from one Feed are still intact after later Next() calls.
  EXPECT_EQ(*small, "small");
  EXPECT_EQ(*large, big);
  EXPECT_EQ(*tail, "tail");
  // A frame completed by a later Feed is intact too, even though the buffer was compacted.
  decoder.Feed(Frame("x").substr(0, 3));
  decoder.Feed(Frame("x").substr(3));
  auto x = decoder.Next();
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(*x, "x");
}

}  // namespace
}  // namespace ringleader
