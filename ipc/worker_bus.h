// WorkerBus: a worker's end of the message bus — Node's process.send / process.on('message'),
// typed. Messages go to the primary, to one worker by slot, or to every other worker; the
// primary routes them. Handlers subscribe by "type".
//
//   bus.Subscribe(kConfigUpdateType, [](const Envelope& m, std::string_view raw) { ... });
//   bus.SendToPrimary(MetricMessage({.requests = n}));          // ipc/bus_protocol.h
//   bus.SendToWorker(2, MessageBuilder("NOTE").AddString("text", "hi"));   // "from" is added
//   bus.Broadcast(MessageBuilder("CACHE_INVALIDATE").AddString("key", "user:7"));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "ipc/bus_protocol.h"  // the built-in types, for Subscribe and Send*
#include "ipc/channel.h"
#include "ipc/message.h"

namespace ringleader {

class WorkerBus {
 public:
  using Handler = absl::AnyInvocable<void(const Envelope& message, std::string_view raw)>;

  explicit WorkerBus(int slot) : slot_(slot) {}
  WorkerBus(const WorkerBus&) = delete;
  WorkerBus& operator=(const WorkerBus&) = delete;

  // The runtime connects the bus to its channel before the loop starts; messages sent before
  // that (from the setup callback) wait and go first.
  void Attach(Channel* channel);
  int slot() const { return slot_; }

  // Each returns false when the message was dropped (queue full, or the primary is gone).
  bool SendToPrimary(MessageBuilder message);
  bool SendToWorker(int slot, MessageBuilder message);
  bool Broadcast(MessageBuilder message);  // every other worker
  bool SendRaw(std::string_view payload);  // an already framed-ready JSON object

  void Subscribe(std::string_view type, Handler handler);
  // Called by the runtime for every message from the primary.
  void Dispatch(std::string_view payload);

  Channel* channel() { return channel_; }

 private:
  int slot_;
  Channel* channel_ = nullptr;
  std::vector<std::string> early_;
  MessageReader reader_;
  std::vector<std::pair<std::string, Handler>> handlers_;
};

}  // namespace ringleader
