// WorkerBus: envelope stamping on the way out, validation and dispatch on the way in.
#include "ipc/worker_bus.h"

namespace ringleader {

void WorkerBus::Attach(Channel* channel) {
  channel_ = channel;
  for (const std::string& m : early_) channel_->Send(m);
  early_.clear();
}

bool WorkerBus::SendRaw(std::string_view payload) {
  if (channel_ == nullptr) {
    early_.emplace_back(payload);
    return true;
  }
  return channel_->Send(payload);
}

bool WorkerBus::SendToPrimary(MessageBuilder message) { return SendRaw(std::move(message).Build()); }

bool WorkerBus::SendToWorker(int slot, MessageBuilder message) {
  return SendRaw(std::move(message.To(slot).From(slot_)).Build());
}

bool WorkerBus::Broadcast(MessageBuilder message) {
  return SendRaw(std::move(message.ToAll().From(slot_)).Build());
}

void WorkerBus::Subscribe(std::string_view type, Handler handler) {
  handlers_.emplace_back(std::string(type), std::move(handler));
}

void WorkerBus::Dispatch(std::string_view payload) {
  // The primary validated and routed it; what no handler wants is simply not for this worker.
  auto envelope = reader_.Read(payload);
  if (!envelope.ok()) return;
  for (auto& [type, handler] : handlers_) {
    if (type == envelope->type) handler(*envelope, payload);
  }
}

}  // namespace ringleader
