// Framing of the primary↔worker channel: each message is a 4-byte little-endian length followed
// by that many bytes of JSON. The decoder takes bytes as they arrive from a stream socket.
//
//   std::string wire;
//   AppendFrame(wire, R"({"type":"online"})");
//
//   FrameDecoder decoder(/*max_payload=*/64 * 1024);
//   decoder.Feed(bytes);
//   while (auto frame = decoder.Next()) Handle(*frame);   // string_view valid until next Feed
//   if (decoder.corrupt()) CloseChannel();                // oversize length: stream unusable
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ringleader {

inline constexpr size_t kFrameHeaderBytes = 4;

// Appends one frame carrying `payload` to `wire`.
void AppendFrame(std::string& wire, std::string_view payload);

class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_payload) : max_payload_(max_payload) {}

  // Appends received bytes. Frames returned by Next() before this call become invalid.
  void Feed(std::string_view bytes);
  // The next complete frame's payload, or nullopt when more bytes are needed (or corrupt()).
  std::optional<std::string_view> Next();
  // A length prefix exceeded max_payload: the stream can no longer be trusted.
  bool corrupt() const noexcept { return corrupt_; }
  // Bytes held for an incomplete frame.
  size_t buffered() const noexcept { return buffer_.size() - consumed_; }

 private:
  size_t max_payload_;
  std::string buffer_;
  size_t consumed_ = 0;
  bool corrupt_ = false;
};

}  // namespace ringleader
