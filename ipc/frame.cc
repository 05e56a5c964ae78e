// Magic-and-length framing: encode, incremental decode, skipping of oversize frames.
#include "ipc/frame.h"

#include <algorithm>

namespace ringleader {

void AppendFrame(std::string& wire, std::string_view payload) {
  const auto n = static_cast<uint32_t>(std::min(payload.size(), kMaxFramePayload));
  const char header[kFrameHeaderBytes] = {static_cast<char>(kFrameMagic),
                                          static_cast<char>(n & 0xff),
                                          static_cast<char>((n >> 8) & 0xff),
                                          static_cast<char>((n >> 16) & 0xff)};
  wire.append(header, kFrameHeaderBytes);
  wire.append(payload.substr(0, n));
}

void FrameDecoder::Feed(std::string_view bytes) {
  if (skip_remaining_ > 0) {
    // Still inside an oversize frame: drop its bytes without buffering them.
    const size_t skipped = std::min(skip_remaining_, bytes.size());
    skip_remaining_ -= skipped;
    bytes.remove_prefix(skipped);
  }
  // Drop what earlier Next() calls consumed before growing: the buffer stays one frame long.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<std::string_view> FrameDecoder::Next() {
  while (!corrupt_ && skip_remaining_ == 0) {
    const size_t available = buffer_.size() - consumed_;
    if (available < kFrameHeaderBytes) return std::nullopt;
    const auto* p = reinterpret_cast<const unsigned char*>(buffer_.data() + consumed_);
    if (p[0] != kFrameMagic) {
      corrupt_ = true;
      return std::nullopt;
    }
    const size_t length = static_cast<size_t>(p[1]) | (static_cast<size_t>(p[2]) << 8) |
                          (static_cast<size_t>(p[3]) << 16);
    if (length > max_payload_) {
      ++oversize_frames_;
      const size_t here = std::min(available - kFrameHeaderBytes, length);
      consumed_ += kFrameHeaderBytes + here;
      skip_remaining_ = length - here;
      continue;
    }
    if (available < kFrameHeaderBytes + length) return std::nullopt;
    std::string_view payload(buffer_.data() + consumed_ + kFrameHeaderBytes, length);
    consumed_ += kFrameHeaderBytes + length;
    return payload;
  }
  return std::nullopt;
}

}  // namespace ringleader
