// Choosing a worker: the ledger's estimate, least-loaded round-robin, rendezvous hashing.
#include "cluster/distribution.h"

#include <netinet/in.h>

#include <cstring>

namespace ringleader {
namespace {

// splitmix64's finaliser: a fixed mix, so a client's slot does not change with the process.
uint64_t Mix(uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashBytes(const unsigned char* bytes, size_t n) noexcept {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then mixed
  for (size_t i = 0; i < n; ++i) h = (h ^ bytes[i]) * 0x100000001b3ULL;
  return Mix(h);
}

}  // namespace

void HandOffLedger::Taken(const TakenReport& report) noexcept {
  const auto taken = static_cast<uint64_t>(report.taken);
  if (taken < taken_ || taken > handed_) return;  // stale (reordered) or made up
  taken_ = taken;
  open_ = report.open;
}

std::optional<size_t> WorkerPicker::LeastLoaded(
    std::span<const PickCandidate> candidates) noexcept {
  std::optional<size_t> best;
  // Among equals, the first at or after next_slot_ in slot order wins, wrapping around.
  auto turn_distance = [this](int slot) {
    return slot >= next_slot_ ? slot - next_slot_ : slot + (1 << 30);
  };
  for (size_t i = 0; i < candidates.size(); ++i) {
    const PickCandidate& c = candidates[i];
    if (c.full) continue;
    if (!best || c.load < candidates[*best].load ||
        (c.load == candidates[*best].load &&
         turn_distance(c.slot) < turn_distance(candidates[*best].slot))) {
      best = i;
    }
  }
  if (best) next_slot_ = candidates[*best].slot + 1;
  return best;
}

std::optional<size_t> WorkerPicker::Sticky(uint64_t client,
                                           std::span<const PickCandidate> candidates) noexcept {
  std::optional<size_t> best;
  uint64_t best_score = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].full) continue;
    const uint64_t score = Mix(client ^ Mix(static_cast<uint64_t>(candidates[i].slot)));
    if (!best || score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

uint64_t ClientKey(const sockaddr_storage& address) noexcept {
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    unsigned char bytes[4];
    std::memcpy(bytes, &v4.sin_addr, sizeof bytes);
    return HashBytes(bytes, sizeof bytes);
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    const auto* bytes = reinterpret_cast<const unsigned char*>(&v6.sin6_addr);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) return HashBytes(bytes + 12, 4);
    return HashBytes(bytes, 16);
  }
  return 0;  // no address (a Unix socket): every such client is one client
}

}  // namespace ringleader
