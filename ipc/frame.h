// Framing of the primary↔worker channel. Each message is a 4-byte header — the magic byte 0xB5
// and a 3-byte little-endian payload length (so at most 16 MiB - 1) — followed by that many
// bytes of JSON. The decoder takes bytes as they arrive from a stream socket.
//
//   std::string wire;
//   AppendFrame(wire, R"({"type":"online"})");
//
//   FrameDecoder decoder(/*max_payload=*/64 * 1024);
//   decoder.Feed(bytes);
//   while (auto frame = decoder.Next()) Handle(*frame);   // string_view valid until next Feed
//   if (decoder.corrupt()) CloseChannel();                // bad magic: stream unusable
//
// A frame longer than max_payload is skipped as its bytes arrive (counted in oversize_frames());
// the stream stays usable. Only a header without the magic byte is corruption: after it nothing
// in the stream can be trusted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringleader {

inline constexpr size_t kFrameHeaderBytes = 4;
inline constexpr unsigned char kFrameMagic = 0xB5;
inline constexpr size_t kMaxFramePayload = (size_t{1} << 24) - 1;

// Appends one frame carrying `payload` (at most kMaxFramePayload bytes) to `wire`.
void AppendFrame(std::string& wire, std::string_view payload);

class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_payload) : max_payload_(max_payload) {}

  // Appends received bytes. Frames returned by Next() before this call become invalid.
  void Feed(std::string_view bytes);
  // The next complete frame's payload, or nullopt when more bytes are needed (or corrupt()).
  std::optional<std::string_view> Next();
  // A header without the magic byte arrived: the stream can no longer be trusted.
  bool corrupt() const noexcept { return corrupt_; }
  // Frames over max_payload, skipped whole.
  uint64_t oversize_frames() const noexcept { return oversize_frames_; }
  // Bytes held for an incomplete frame.
  size_t buffered() const noexcept { return buffer_.size() - consumed_; }

 private:
  size_t max_payload_;
  std::string buffer_;
  size_t consumed_ = 0;
  size_t skip_remaining_ = 0;  // bytes of an oversize frame still to discard
  uint64_t oversize_frames_ = 0;
  bool corrupt_ = false;
};

}  // namespace ringleader
