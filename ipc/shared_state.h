// SharedRegion: the cluster-wide shared memory every worker process maps — 64 monotonic counters
// and a small string table (ipc/shared_table.h) — for small hot data that must be the same in
// all workers (each worker has its own heap, so a plain map would silently diverge).
//
// The primary creates it before starting workers and keeps it, so it outlives worker restarts:
//
//   RL_ASSIGN_OR_RETURN(SharedRegion region, SharedRegion::Create());
//   RL_ASSIGN_OR_RETURN(UniqueFd for_child, region.DupForChild());   // inherit_fds = {for_child}
//   ... after reaping worker `pid`:  region.ReleaseLocksOf(pid);
//
// A worker maps the descriptor it inherited (the number travels in its start-up environment):
//
//   RL_ASSIGN_OR_RETURN(SharedRegion region, SharedRegion::Map(inherited_fd));
//   RL_ASSIGN_OR_RETURN(SharedCounter requests, region.Counter(0));
//   requests.Add();
//   RL_RETURN_IF_ERROR(region.Table().Put("k", "v"));
//
// Nothing here hands out a pointer into the region. A worker killed at any instruction can
// neither make a counter go backwards (counters only grow, by one atomic add) nor tear a table
// entry; see shared_table.cc for the protocol and shared_state_test.cc for the kill loop.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "core/unique_fd.h"
#include "ipc/shared_limits.h"
#include "ipc/shared_table.h"

namespace ringleader {

namespace shared_layout {
struct Layout;
}  // namespace shared_layout

// A handle on one shared counter. Valid while its SharedRegion is. Counters have no Store or
// Sub on purpose: every reader in every process only ever sees them grow (modulo 2^64).
class SharedCounter {
 public:
  // Adds `delta` and returns the new value.
  uint64_t Add(uint64_t delta = 1) noexcept {
    return slot_->fetch_add(delta, std::memory_order_relaxed) + delta;
  }
  uint64_t Load() const noexcept { return slot_->load(std::memory_order_relaxed); }

 private:
  friend class SharedRegion;
  explicit SharedCounter(std::atomic<uint64_t>& slot) noexcept : slot_(&slot) {}
  std::atomic<uint64_t>* slot_;
};

class SharedRegion {
 public:
  // The primary: a fresh zeroed region in a sealed memfd (its size cannot change, so no process
  // can shrink it under the others and make them fault).
  static absl::StatusOr<SharedRegion> Create();
  // A worker: maps a region from `fd` (borrowed; the region keeps its own duplicate). Checks the
  // descriptor is a sealed memfd of the exact size and that the header (magic, layout version,
  // capacities) matches this binary: InvalidArgument / FailedPrecondition otherwise.
  static absl::StatusOr<SharedRegion> Map(int fd);

  SharedRegion(SharedRegion&& other) noexcept;
  SharedRegion& operator=(SharedRegion&& other) noexcept;
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;
  ~SharedRegion();

  // The region's own descriptor (close-on-exec).
  int fd() const noexcept { return fd_.get(); }
  // A duplicate without close-on-exec, for a child to inherit across exec.
  absl::StatusOr<UniqueFd> DupForChild() const;

  // Counter `index` (< kSharedCounters), else OutOfRange.
  absl::StatusOr<SharedCounter> Counter(size_t index) const;
  SharedTable Table() const noexcept { return SharedTable(*layout_); }

  // Frees every lock the dead process `pid` held; how many. The primary calls it right after
  // reaping `pid`, before anything else can reuse that pid. Readers never need it.
  size_t ReleaseLocksOf(pid_t pid) const { return Table().ReleaseLocksOf(pid); }

 private:
  SharedRegion(UniqueFd fd, shared_layout::Layout* layout) noexcept
      : fd_(std::move(fd)), layout_(layout) {}
  void Unmap() noexcept;

  UniqueFd fd_;
  shared_layout::Layout* layout_ = nullptr;  // mapped, sizeof(Layout) bytes; null once moved
};

}  // namespace ringleader
