// Allocation, hand registration and recycling of a provided-buffer ring.
#include "core/buffer_ring.h"

#include <sys/mman.h>

#include <cerrno>

#include "core/status.h"

namespace ringleader {

BufferRing::BufferRing(Ring& ring, uint16_t group, uint16_t count, uint32_t buffer_size)
    : ring_(ring), group_(group), count_(count), buffer_size_(buffer_size) {}

absl::StatusOr<std::unique_ptr<BufferRing>> BufferRing::Create(Ring& ring, uint16_t group,
                                                               uint16_t count,
                                                               uint32_t buffer_size) {
  if (count == 0 || (count & (count - 1)) != 0 || count > 32768) {
    return absl::InvalidArgumentError("buffer ring size must be a power of two up to 32768");
  }
  std::unique_ptr<BufferRing> self(new BufferRing(ring, group, count, buffer_size));
  // One anonymous mapping: the page-aligned entry array first, then the buffers.
  const size_t ring_bytes = sizeof(io_uring_buf) * count;
  const size_t total = ring_bytes + static_cast<size_t>(count) * buffer_size;
  void* memory = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return ErrnoStatus(errno, "mmap buffer ring");
  self->entries_ = static_cast<io_uring_buf_ring*>(memory);
  self->buffers_ = static_cast<char*>(memory) + ring_bytes;

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(memory);
  reg.ring_entries = count;
  reg.bgid = group;
  if (int res = io_uring_register_buf_ring(ring.raw(), &reg, 0); res < 0) {
    return ErrnoStatus(-res, "io_uring_register_buf_ring");
  }
  self->registered_ = true;

  io_uring_buf_ring_init(self->entries_);
  const int mask = io_uring_buf_ring_mask(count);
  for (uint16_t id = 0; id < count; ++id) {
    io_uring_buf_ring_add(self->entries_, self->Data(id), buffer_size, id, mask, id);
  }
  io_uring_buf_ring_advance(self->entries_, count);
  return self;
}

BufferRing::~BufferRing() {
  if (registered_) io_uring_unregister_buf_ring(ring_.raw(), group_);
  if (entries_ != nullptr) {
    ::munmap(entries_, sizeof(io_uring_buf) * count_ + static_cast<size_t>(count_) * buffer_size_);
  }
}

void BufferRing::Recycle(uint16_t id) noexcept {
  io_uring_buf_ring_add(entries_, Data(id), buffer_size_, id, io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(entries_, 1);
}

}  // namespace ringleader
