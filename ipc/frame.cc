// Length-prefixed framing: encode and incremental decode.
#include "ipc/frame.h"

namespace ringleader {

void AppendFrame(std::string& wire, std::string_view payload) {
  const auto n = static_cast<uint32_t>(payload.size());
  const char header[kFrameHeaderBytes] = {static_cast<char>(n & 0xff),
                                          static_cast<char>((n >> 8) & 0xff),
                                          static_cast<char>((n >> 16) & 0xff),
                                          static_cast<char>((n >> 24) & 0xff)};
  wire.append(header, kFrameHeaderBytes);
  wire.append(payload);
}

void FrameDecoder::Feed(std::string_view bytes) {
  // Drop what earlier Next() calls consumed before growing: the buffer stays one frame long.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string_view> FrameDecoder::Next() {
  if (corrupt_) return std::nullopt;
  const size_t available = buffer_.size() - consumed_;
  if (available < kFrameHeaderBytes) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + consumed_);
  const uint32_t length = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                          (static_cast<uint32_t>(p[2]) << 16) |
                          (static_cast<uint32_t>(p[3]) << 24);
  if (length > max_payload_) {
    corrupt_ = true;
    return std::nullopt;
  }
  if (available < kFrameHeaderBytes + length) return std::nullopt;
  std::string_view payload(buffer_.data() + consumed_ + kFrameHeaderBytes, length);
  consumed_ += kFrameHeaderBytes + length;
  return payload;
}

}  // namespace ringleader
