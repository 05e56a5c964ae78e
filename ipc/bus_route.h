// CheckRoute: whether the primary may deliver a message a worker wrote where its envelope says
// (envelope.to is the one destination type), decided from the envelope alone; RestampSender:
// what it forwards, so a receiver can always trust "from". Pure.
//
//   if (absl::Status s = CheckRoute(envelope, sender_slot); !s.ok()) return Drop(s.message());
//   const std::optional<std::string> stamped = RestampSender(envelope, sender_slot);
//   const std::string_view out = stamped ? *stamped : envelope.raw;
//   switch (envelope.to) { case Destination::kSlot: Forward(envelope.to_slot, out); ... }
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "ipc/message.h"

namespace ringleader {

// A worker may address the primary (no "to"), one slot (itself included) or every other
// worker. PermissionDenied, with the reason, for a "from" that is not the sender's own slot
// (spoofing) and for a primary-only type addressed to workers: such a message is dropped.
absl::Status CheckRoute(const Envelope& envelope, int sender_slot);

// nullopt when the payload already names its sender exactly once ("from": sender_slot), the
// common case, forwarded byte for byte. Otherwise (no "from", a non-number, several) the
// message re-serialised with every "from" replaced by one that names sender_slot: without it
// a receiver would take the message for the primary's.
std::optional<std::string> RestampSender(const Envelope& envelope, int sender_slot);

}  // namespace ringleader
