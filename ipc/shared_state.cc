// SharedRegion: creating, validating and mapping the shared memory region.
#include "ipc/shared_state.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <new>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "ipc/shared_layout.h"

namespace ringleader {
namespace {

using shared_layout::Header;
using shared_layout::Layout;

constexpr size_t kRegionBytes = sizeof(Layout);
// Sealed by Create: nobody can resize the memfd (a shrink would SIGBUS every mapper) or unseal.
constexpr int kSeals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

absl::StatusOr<void*> MapShared(int fd) {
  void* address = ::mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (address == MAP_FAILED) return ErrnoStatus(errno, "mmap shared region");
  return address;
}

// The header of a region made by a binary with another layout is rejected, never interpreted.
absl::Status CheckHeader(const Header& h) {
  const Header want{.entry_bytes = sizeof(shared_layout::Entry), .region_bytes = kRegionBytes};
  if (h.magic != want.magic) return absl::InvalidArgumentError("shared region: bad magic");
  if (h.layout_version != want.layout_version || h.counters != want.counters ||
      h.table_entries != want.table_entries || h.max_key_bytes != want.max_key_bytes ||
      h.max_value_bytes != want.max_value_bytes || h.entry_bytes != want.entry_bytes ||
      h.region_bytes != want.region_bytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("shared region: layout version ", h.layout_version, " does not match ",
                     want.layout_version, " (or its capacities differ)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SharedRegion> SharedRegion::Create() {
  UniqueFd fd(::memfd_create("ringleader-shared", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return ErrnoStatus(errno, "memfd_create ringleader-shared");
  if (::ftruncate(fd.get(), static_cast<off_t>(kRegionBytes)) != 0) {
    return ErrnoStatus(errno, "ftruncate shared region");
  }
  if (::fcntl(fd.get(), F_ADD_SEALS, kSeals) != 0) return ErrnoStatus(errno, "seal shared region");
  RL_ASSIGN_OR_RETURN(void* address, MapShared(fd.get()));
  // Starts the lifetime of the atomics on the zeroed pages; nobody else has the fd yet.
  Layout* layout = new (address) Layout();
  layout->header.entry_bytes = sizeof(shared_layout::Entry);
  layout->header.region_bytes = kRegionBytes;
  return SharedRegion(std::move(fd), layout);
}

absl::StatusOr<SharedRegion> SharedRegion::Map(int fd) {
  if (fd < 0) return absl::InvalidArgumentError("shared region: no descriptor");
  UniqueFd own(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
  if (!own) return ErrnoStatus(errno, "dup shared region descriptor");
  struct stat st {};
  if (::fstat(own.get(), &st) != 0) return ErrnoStatus(errno, "fstat shared region");
  if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) != kRegionBytes) {
    return absl::InvalidArgumentError(absl::StrCat("shared region: descriptor holds ", st.st_size,
                                                   " bytes, expected ", kRegionBytes));
  }
  // Without the seals another process could shrink the file under us (SIGBUS on access).
  if (const int seals = ::fcntl(own.get(), F_GET_SEALS); seals < 0 || (seals & kSeals) != kSeals) {
    return absl::InvalidArgumentError("shared region: descriptor is not a sealed memfd");
  }
  RL_ASSIGN_OR_RETURN(void* address, MapShared(own.get()));
  SharedRegion region(std::move(own), std::launder(static_cast<Layout*>(address)));
  RL_RETURN_IF_ERROR(CheckHeader(region.layout_->header));  // `region` unmaps on error
  return region;
}

SharedRegion::SharedRegion(SharedRegion&& other) noexcept
    : fd_(std::move(other.fd_)), layout_(std::exchange(other.layout_, nullptr)) {}

SharedRegion& SharedRegion::operator=(SharedRegion&& other) noexcept {
  if (this != &other) {
    Unmap();
    fd_ = std::move(other.fd_);
    layout_ = std::exchange(other.layout_, nullptr);
  }
  return *this;
}

SharedRegion::~SharedRegion() { Unmap(); }

void SharedRegion::Unmap() noexcept {
  if (layout_ != nullptr) ::munmap(layout_, kRegionBytes);
  layout_ = nullptr;
}

absl::StatusOr<UniqueFd> SharedRegion::DupForChild() const {
  UniqueFd dup(::fcntl(fd_.get(), F_DUPFD, 0));  // F_DUPFD, unlike F_DUPFD_CLOEXEC, clears it
  if (!dup) return ErrnoStatus(errno, "dup shared region for a child");
  return dup;
}

absl::StatusOr<SharedCounter> SharedRegion::Counter(size_t index) const {
  if (index >= kSharedCounters) {
    return absl::OutOfRangeError(
        absl::StrCat("shared counter ", index, " out of range (", kSharedCounters, " counters)"));
  }
  return SharedCounter(layout_->counters[index].value);
}

}  // namespace ringleader
