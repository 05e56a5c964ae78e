// SharedTable: open addressing over the shared entries, lock-free readers, crash-safe writers.
//
// The protocol, per entry (ipc/shared_layout.h: lock, version, copies[2]):
//  - Readers take no lock. They load `version` (acquire), copy out copies[version & 1], fence
//    (acquire) and load `version` again; a change means a writer published meanwhile, so they
//    retry (a bounded number of times, then Unavailable).
//  - A writer takes `lock` (OwnerLock: pid in the word), fences (release), fills the copy
//    readers are NOT directed to, copies[(version + 1) & 1], and publishes it with a single
//    release store of version + 1. Killed before that store, it has touched only the unpublished
//    copy; killed after, the new copy is complete. Either way no reader ever sees a mix, and the
//    next writer (who steals the dead owner's lock) rewrites the spare copy from scratch.
//  - Why the release fence before the writes: a slow reader may still be copying the spare copy
//    from two versions ago while a writer overwrites it. If the reader's relaxed loads see any of
//    those writes, fence-to-fence synchronisation makes it see the version that writer started
//    from (which already differs from the one the reader began with), so it retries.
//  - All payload bytes are std::atomic<uint64_t> words with relaxed loads and stores: racing is
//    expected and harmless (the version check discards it), and it is not a C++ data race.
//
// The table: linear probing from a fixed hash (FNV-1a: absl::Hash is seeded per process, and
// every worker must find a key at the same place). Erase leaves a tombstone, so keys stored past
// it stay reachable; an empty (never used) entry ends a chain.
//
// One improvement over per-entry locks alone: turning a free entry (empty or tombstone) into a
// live one also needs the table-wide insert lock. Without it, two Puts of the same new key could
// store it twice: one probes while entry A is a tombstone and picks A, the other probed A while
// it was still live and picked a later B. Under the insert lock a key's absence, once checked,
// stays true until the inserter publishes (only inserters create live entries); updates of a
// key in place and erases still take only their entry's lock.
#include "ipc/shared_table.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "ipc/owner_lock.h"
#include "ipc/shared_layout.h"
#include "ipc/shared_limits.h"

namespace ringleader {
namespace {

using shared_layout::Entry;
using shared_layout::EntryCopy;
using shared_layout::EntryState;

// A reader gives up after this many publishes of one entry slipped in while it was copying.
constexpr int kReadRetries = 1000;
// Put and Erase re-probe this many times when their entry changed before they could lock it.
constexpr int kWriteRetries = 8;
constexpr size_t kNone = static_cast<size_t>(-1);

uint64_t Fnv1a(std::string_view bytes) noexcept {
  uint64_t hash = 0xcbf29ce484222325;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3;
  }
  return hash;
}

void StoreBytes(std::atomic<uint64_t>* words, std::string_view bytes) noexcept {
  for (size_t at = 0; at < bytes.size(); at += 8) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + at, std::min<size_t>(8, bytes.size() - at));
    words[at / 8].store(word, std::memory_order_relaxed);
  }
}

void LoadBytes(const std::atomic<uint64_t>* words, size_t size, char* out) noexcept {
  for (size_t at = 0; at < size; at += 8) {
    const uint64_t word = words[at / 8].load(std::memory_order_relaxed);
    std::memcpy(out + at, &word, std::min<size_t>(8, size - at));
  }
}

// A published copy of an entry, copied out of shared memory.
struct Image {
  EntryState state = EntryState::kEmpty;
  size_t key_size = 0;
  size_t value_size = 0;
  char key[kSharedMaxKeyBytes];
  char value[kSharedMaxValueBytes];

  std::string_view Key() const { return {key, key_size}; }
  std::string_view Value() const { return {value, value_size}; }
  bool Holds(std::string_view k) const { return state == EntryState::kLive && Key() == k; }
};

// Relaxed copy of one copy. The sizes are clamped: a copy being overwritten may hold anything,
// and we must not read past it before the version check throws the result away.
void CopyOut(const EntryCopy& copy, Image& out) noexcept {
  const uint64_t meta = copy.meta.load(std::memory_order_relaxed);
  out.state = static_cast<EntryState>(meta & 0xff);
  out.key_size = std::min<size_t>((meta >> 8) & 0xff, kSharedMaxKeyBytes);
  out.value_size = std::min<size_t>((meta >> 16) & 0xffff, kSharedMaxValueBytes);
  LoadBytes(copy.key, out.key_size, out.key);
  LoadBytes(copy.value, out.value_size, out.value);
}

absl::StatusOr<Image> ReadPublished(const Entry& entry) {
  Image image;
  for (int attempt = 0; attempt < kReadRetries; ++attempt) {
    const uint64_t before = entry.version.load(std::memory_order_acquire);
    CopyOut(entry.copies[before & 1], image);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (entry.version.load(std::memory_order_relaxed) == before) return image;
  }
  return absl::UnavailableError("shared table: an entry is rewritten faster than it can be read");
}

// Caller holds `entry.lock`. See the protocol at the top of this file.
void Publish(Entry& entry, EntryState state, std::string_view key, std::string_view value) {
  // Acquire: after stealing a dead owner's lock we must see the version it may have published.
  const uint64_t version = entry.version.load(std::memory_order_acquire);
  EntryCopy& spare = entry.copies[(version + 1) & 1];
  std::atomic_thread_fence(std::memory_order_release);
  StoreBytes(spare.key, key);
  StoreBytes(spare.value, value);
  spare.meta.store(shared_layout::PackMeta(state, key.size(), value.size()),
                   std::memory_order_relaxed);
  entry.version.store(version + 1, std::memory_order_release);
}

absl::Status CheckSizes(std::string_view key, std::string_view value) {
  if (key.empty()) return absl::InvalidArgumentError("shared table: empty key");
  if (key.size() > kSharedMaxKeyBytes || value.size() > kSharedMaxValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("shared table: key of ", key.size(), " bytes or value of ", value.size(),
                     " bytes over the limit (", kSharedMaxKeyBytes, " / ", kSharedMaxValueBytes,
                     ")"));
  }
  return absl::OkStatus();
}

}  // namespace

// Where a key is on its probe chain, and where it would go.
struct SharedTable::Probe {
  size_t found = kNone;  // the live entry holding the key
  size_t free = kNone;   // the first tombstone or empty entry on the chain
  std::string value;     // of `found`
};

absl::StatusOr<SharedTable::Probe> SharedTable::Find(std::string_view key) const {
  Probe probe;
  const size_t home = Fnv1a(key) % kSharedTableEntries;
  for (size_t step = 0; step < kSharedTableEntries; ++step) {
    const size_t index = (home + step) % kSharedTableEntries;
    RL_ASSIGN_OR_RETURN(const Image image, ReadPublished(layout_->entries[index]));
    if (image.Holds(key)) {
      probe.found = index;
      probe.value.assign(image.Value());
      return probe;
    }
    if (image.state != EntryState::kLive && probe.free == kNone) probe.free = index;
    if (image.state == EntryState::kEmpty) break;
  }
  return probe;
}

absl::StatusOr<bool> SharedTable::Store(Entry& entry, std::string_view key,
                                        std::string_view value, bool may_claim_free) const {
  RL_ASSIGN_OR_RETURN(OwnerLock lock, OwnerLock::Acquire(entry.lock));
  RL_ASSIGN_OR_RETURN(const Image now, ReadPublished(entry));  // we are the only writer: 1 try
  const bool ours = now.Holds(key) || (may_claim_free && now.state != EntryState::kLive);
  if (!ours) return false;
  Publish(entry, EntryState::kLive, key, value);
  return true;
}

absl::Status SharedTable::Put(std::string_view key, std::string_view value) const {
  RL_RETURN_IF_ERROR(CheckSizes(key, value));
  // Fast path: the key is already live somewhere; rewrite it in place under that entry's lock.
  RL_ASSIGN_OR_RETURN(Probe probe, Find(key));
  if (probe.found != kNone) {
    RL_ASSIGN_OR_RETURN(const bool stored, Store(layout_->entries[probe.found], key, value,
                                                 /*may_claim_free=*/false));
    if (stored) return absl::OkStatus();
    // Erased between our probe and the lock: insert it afresh.
  }
  RL_ASSIGN_OR_RETURN(OwnerLock insert, OwnerLock::Acquire(layout_->insert_lock.word));
  RL_ASSIGN_OR_RETURN(probe, Find(key));
  const size_t target = probe.found != kNone ? probe.found : probe.free;
  if (target == kNone) {
    return absl::ResourceExhaustedError(
        absl::StrCat("shared table: all ", kSharedTableEntries, " entries are in use"));
  }
  // Only inserters make an entry live and we are the only one, so `target` is still free or
  // still holds the key (an Erase may have freed it since: that is fine too).
  RL_ASSIGN_OR_RETURN(const bool stored,
                      Store(layout_->entries[target], key, value, /*may_claim_free=*/true));
  if (!stored) return absl::InternalError("shared table: entry taken under the insert lock");
  return absl::OkStatus();
}

absl::StatusOr<std::string> SharedTable::Get(std::string_view key) const {
  if (key.empty() || key.size() > kSharedMaxKeyBytes) {
    return absl::NotFoundError("shared table: no such key");  // could never have been stored
  }
  RL_ASSIGN_OR_RETURN(Probe probe, Find(key));
  if (probe.found == kNone) return absl::NotFoundError("shared table: no such key");
  return std::move(probe.value);
}

absl::Status SharedTable::Erase(std::string_view key) const {
  for (int attempt = 0; attempt < kWriteRetries; ++attempt) {
    RL_ASSIGN_OR_RETURN(const Probe probe, Find(key));
    if (probe.found == kNone) return absl::NotFoundError("shared table: no such key");
    Entry& entry = layout_->entries[probe.found];
    RL_ASSIGN_OR_RETURN(OwnerLock lock, OwnerLock::Acquire(entry.lock));
    RL_ASSIGN_OR_RETURN(const Image now, ReadPublished(entry));
    if (now.Holds(key)) {
      Publish(entry, EntryState::kTombstone, {}, {});
      return absl::OkStatus();
    }
    // Erased (and maybe re-inserted elsewhere) before we locked: look again.
  }
  return absl::UnavailableError("shared table: key kept moving while being erased");
}

absl::StatusOr<std::vector<SharedTable::Item>> SharedTable::Snapshot() const {
  std::vector<Item> items;
  for (const Entry& entry : layout_->entries) {
    RL_ASSIGN_OR_RETURN(const Image image, ReadPublished(entry));
    if (image.state == EntryState::kLive) {
      items.push_back({std::string(image.Key()), std::string(image.Value())});
    }
  }
  return items;
}

size_t SharedTable::ReleaseLocksOf(pid_t pid) const {
  size_t released = ReleaseIfOwnedBy(layout_->insert_lock.word, pid) ? 1 : 0;
  for (Entry& entry : layout_->entries) released += ReleaseIfOwnedBy(entry.lock, pid) ? 1 : 0;
  return released;
}

}  // namespace ringleader
