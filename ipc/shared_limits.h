// The fixed capacities of the cluster-wide shared region (ipc/shared_state.h), part of its
// compile-time layout: changing one changes the layout, so bump kLayoutVersion with it.
//
//   auto counter = region.Counter(kSharedCounters - 1);   // the last valid index
//   if (value.size() > kSharedMaxValueBytes) { ... }      // Put would say InvalidArgument
#pragma once

#include <cstddef>

namespace ringleader {

inline constexpr size_t kSharedCounters = 64;
inline constexpr size_t kSharedTableEntries = 256;
inline constexpr size_t kSharedMaxKeyBytes = 48;
inline constexpr size_t kSharedMaxValueBytes = 192;

}  // namespace ringleader
