// RouteMessage: where the primary sends a message a worker wrote, decided from its envelope
// alone (the payload is forwarded byte for byte, never re-serialised). Pure.
//
//   const BusRoute r = RouteMessage(envelope, sender_slot);
//   switch (r.kind) { case BusRoute::kPrimary: ...; case BusRoute::kSlot: Forward(r.slot); ... }
#pragma once

#include <string_view>

#include "ipc/message.h"

namespace ringleader {

struct BusRoute {
  enum Kind { kPrimary, kSlot, kAllOthers, kDrop } kind = kDrop;
  int slot = -1;             // for kSlot
  std::string_view reason;   // for kDrop
};

// A worker may address the primary (no "to"), one slot (itself included) or every other
// worker; a "from" that is not the sender's own slot is spoofing and is dropped.
BusRoute RouteMessage(const Envelope& envelope, int sender_slot);

}  // namespace ringleader
