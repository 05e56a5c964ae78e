// The byte layout of the cluster-wide shared region (see ipc/shared_state.h), fixed at compile
// time so the primary and every worker binary agree on it. Internal to ipc/: users go through
// SharedRegion, SharedCounter and SharedTable, which never hand out a pointer into it.
//
//   Layout* layout = new (mmap_address) Layout();   // the creator, once, on zeroed memory
//   layout->counters[3].value.fetch_add(1, std::memory_order_relaxed);
//
// Everything another process may write while we read is a std::atomic<uint64_t>, so there is no
// C++ data race to reason about, only orderings. All-zero memory is a valid empty table.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ipc/shared_limits.h"

namespace ringleader::shared_layout {

// Cross-process atomics must not fall back to a lock hidden in one process's libatomic.
static_assert(std::atomic<uint64_t>::is_always_lock_free,
              "shared memory needs address-free, lock-free 64-bit atomics");

inline constexpr uint64_t kMagic = 0x52524c5348415245;  // "RRLSHARE"
inline constexpr uint32_t kLayoutVersion = 1;
inline constexpr size_t kCacheLine = 64;
inline constexpr size_t kKeyWords = (kSharedMaxKeyBytes + 7) / 8;
inline constexpr size_t kValueWords = (kSharedMaxValueBytes + 7) / 8;

// What an entry's published copy says about its slot. kEmpty ends a probe chain; kTombstone (a
// deleted key) does not, so keys placed past it stay reachable.
enum class EntryState : uint8_t { kEmpty = 0, kLive = 1, kTombstone = 2 };

// Written once by the creator before any other process can map the region; read-only after.
struct alignas(kCacheLine) Header {
  uint64_t magic = kMagic;
  uint32_t layout_version = kLayoutVersion;
  uint32_t counters = kSharedCounters;
  uint32_t table_entries = kSharedTableEntries;
  uint32_t max_key_bytes = kSharedMaxKeyBytes;
  uint32_t max_value_bytes = kSharedMaxValueBytes;
  uint32_t entry_bytes = 0;   // sizeof(Entry), filled in by the creator
  uint64_t region_bytes = 0;  // sizeof(Layout)
};

// One counter per cache line: workers bumping different counters never share a line.
struct alignas(kCacheLine) CounterSlot {
  std::atomic<uint64_t> value{0};
};

// One of an entry's two copies. `meta` packs state | key length << 8 | value length << 16.
struct EntryCopy {
  std::atomic<uint64_t> meta{0};
  std::atomic<uint64_t> key[kKeyWords]{};
  std::atomic<uint64_t> value[kValueWords]{};
};

// A table slot: a lock word (owner pid, 0 = free) taken by writers only, a version whose low bit
// names the published copy, and two copies so a writer never touches what readers may be
// reading (see shared_table.cc for the protocol).
struct alignas(kCacheLine) Entry {
  std::atomic<uint64_t> lock{0};
  std::atomic<uint64_t> version{0};
  alignas(kCacheLine) EntryCopy copies[2];
};

// The table-wide insert lock: only its holder turns a free slot into a live one (why: see
// SharedTable::Put). Its own cache line, away from the header and counters.
struct alignas(kCacheLine) InsertLock {
  std::atomic<uint64_t> word{0};
};

struct Layout {
  Header header;
  InsertLock insert_lock;
  CounterSlot counters[kSharedCounters];
  Entry entries[kSharedTableEntries];
};

static_assert(sizeof(CounterSlot) == kCacheLine, "one counter per cache line");
static_assert(sizeof(Entry) % kCacheLine == 0, "entries do not share cache lines");
static_assert(kSharedMaxKeyBytes <= 0xff && kSharedMaxValueBytes <= 0xffff, "sizes fit in meta");

inline constexpr uint64_t PackMeta(EntryState state, size_t key_len, size_t value_len) {
  return static_cast<uint64_t>(state) | static_cast<uint64_t>(key_len) << 8 |
         static_cast<uint64_t>(value_len) << 16;
}

}  // namespace ringleader::shared_layout
