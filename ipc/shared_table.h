// SharedTable: a small fixed-size string→string table in the cluster-wide shared region
// (ipc/shared_state.h), readable and writable from every worker process. Nothing it returns
// points into shared memory: keys and values are bounds-checked on the way in and copied out.
//
//   SharedTable table = region.Table();
//   RL_RETURN_IF_ERROR(table.Put("feature:x", "on"));
//   absl::StatusOr<std::string> v = table.Get("feature:x");   // NotFound when absent
//   for (const SharedTable::Item& item : *table.Snapshot()) { ... }
//
// Crash safety: a process SIGKILLed at any instruction of Put or Erase leaves every entry
// readable and either old or new, never a mix, and never leaves a lock stuck once it is reaped.
// Readers take no lock. Writers wait at most OwnerLock::kMaxWait (then Unavailable), so no call
// blocks an event loop.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ringleader {

namespace shared_layout {
struct Layout;
struct Entry;
}  // namespace shared_layout

class SharedTable {
 public:
  struct Item {
    std::string key;
    std::string value;
    friend bool operator==(const Item&, const Item&) = default;
  };

  // Stores `value` under `key`, replacing what was there. InvalidArgument for an empty key, a key
  // over kSharedMaxKeyBytes or a value over kSharedMaxValueBytes; ResourceExhausted when the key
  // is new and every entry is live; Unavailable when a live writer holds the lock too long.
  absl::Status Put(std::string_view key, std::string_view value) const;
  // A copy of the value under `key`. NotFound when absent.
  absl::StatusOr<std::string> Get(std::string_view key) const;
  // Removes `key`. NotFound when absent.
  absl::Status Erase(std::string_view key) const;
  // Copies of every live entry, in table order. Each entry is consistent on its own; the list is
  // not one atomic picture of the table (writers may run while it is taken).
  absl::StatusOr<std::vector<Item>> Snapshot() const;

  // Frees every table lock `pid` holds; the number freed. For the primary, after reaping `pid`.
  size_t ReleaseLocksOf(pid_t pid) const;

 private:
  friend class SharedRegion;
  explicit SharedTable(shared_layout::Layout& layout) noexcept : layout_(&layout) {}

  struct Probe;
  absl::StatusOr<Probe> Find(std::string_view key) const;
  // Under `entry`'s lock: publishes `key`/`value` as live if the entry still holds `key` (or is
  // free, when `may_claim_free`: only with the insert lock held). False when it changed before
  // we locked it.
  absl::StatusOr<bool> Store(shared_layout::Entry& entry, std::string_view key,
                             std::string_view value, bool may_claim_free) const;

  shared_layout::Layout* layout_;
};

}  // namespace ringleader
