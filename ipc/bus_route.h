// RouteMessage: where the primary sends a message a worker wrote, decided from its envelope
// alone; RestampSender: what it forwards, so a receiver can always trust "from". Pure.
//
//   const BusRoute r = RouteMessage(envelope, sender_slot);
//   const std::optional<std::string> stamped = RestampSender(envelope, sender_slot);
//   const std::string_view out = stamped ? *stamped : envelope.raw;
//   switch (r.kind) { case BusRoute::kSlot: Forward(r.slot, out); ... }
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ipc/message.h"

namespace ringleader {

struct BusRoute {
  enum Kind { kPrimary, kSlot, kAllOthers, kDrop } kind = kDrop;
  int slot = -1;             // for kSlot
  std::string_view reason;   // for kDrop
};

// A worker may address the primary (no "to"), one slot (itself included) or every other
// worker; a "from" that is not the sender's own slot is spoofing and is dropped, and so is a
// primary-only type addressed to workers.
BusRoute RouteMessage(const Envelope& envelope, int sender_slot);

// nullopt when the payload already names its sender exactly once ("from": sender_slot), the
// common case, forwarded byte for byte. Otherwise (no "from", a non-number, several) the
// message re-serialised with every "from" replaced by one that names sender_slot: without it
// a receiver would take the message for the primary's.
std::optional<std::string> RestampSender(const Envelope& envelope, int sender_slot);

}  // namespace ringleader
