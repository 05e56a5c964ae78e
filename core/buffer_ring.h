// BufferRing: a provided-buffer ring for multishot receive. The kernel picks a free buffer for
// each completion; the owner hands it back with Recycle() once the bytes are consumed.
//
//   RL_ASSIGN_OR_RETURN(auto buffers, BufferRing::Create(ring, /*group=*/0, 512, 4096));
//   recv_op.Arm(ring, fd, buffers->group());
//   // in the completion: if (flags & IORING_CQE_F_BUFFER) {
//   //   uint16_t id = BufferRing::IdOf(flags);
//   //   Consume(buffers->Data(id), res); buffers->Recycle(id); }
//
// liburing 2.3 has no io_uring_setup_buf_ring, so the ring memory is allocated and registered
// here by hand.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "core/ring.h"

namespace ringleader {

class BufferRing {
 public:
  // `count` must be a power of two (kernel requirement), at most 32768.
  static absl::StatusOr<std::unique_ptr<BufferRing>> Create(Ring& ring, uint16_t group,
                                                            uint16_t count, uint32_t buffer_size);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  static uint16_t IdOf(uint32_t cqe_flags) noexcept {
    return static_cast<uint16_t>(cqe_flags >> IORING_CQE_BUFFER_SHIFT);
  }

  uint16_t group() const noexcept { return group_; }
  uint32_t buffer_size() const noexcept { return buffer_size_; }
  char* Data(uint16_t id) noexcept { return buffers_ + static_cast<size_t>(id) * buffer_size_; }
  // Returns buffer `id` to the kernel.
  void Recycle(uint16_t id) noexcept;

 private:
  BufferRing(Ring& ring, uint16_t group, uint16_t count, uint32_t buffer_size);

  Ring& ring_;
  uint16_t group_;
  uint16_t count_;
  uint32_t buffer_size_;
  io_uring_buf_ring* entries_ = nullptr;
  char* buffers_ = nullptr;
  bool registered_ = false;
};

}  // namespace ringleader
