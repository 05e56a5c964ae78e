// Routing decision for worker-written messages.
#include "ipc/bus_route.h"

namespace ringleader {

BusRoute RouteMessage(const Envelope& envelope, int sender_slot) {
  if (envelope.from != -1 && envelope.from != sender_slot) {
    return {BusRoute::kDrop, -1, "\"from\" is not the sender's slot"};
  }
  switch (envelope.to) {
    case Destination::kPrimary: return {BusRoute::kPrimary, -1, {}};
    case Destination::kSlot: return {BusRoute::kSlot, envelope.to_slot, {}};
    case Destination::kAllWorkers: return {BusRoute::kAllOthers, -1, {}};
  }
  return {BusRoute::kDrop, -1, "unknown destination"};
}

}  // namespace ringleader
