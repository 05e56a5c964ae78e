// SignalReader: signals as loop events, the one place where a signal becomes an event for both
// roles. It blocks its signals for the process, reads them through a signalfd with one read op
// kept in flight, and hands each signalfd_siginfo to a handler on the loop; nothing happens in
// signal context.
//
//   RL_ASSIGN_OR_RETURN(signals_, SignalReader::Open(
//       {SIGTERM, SIGINT},
//       [this](const signalfd_siginfo& info) noexcept { OnSignal(info.ssi_signo); },
//       [this](int res) noexcept { MaybeFinish(); }));   // 0 after Stop(), or an errno
//   signals_->Start(*ring_);
//   ...
//   signals_->Stop();   // on_stopped follows, at the read's final completion
//
// Like every op it must outlive its final completion: destroy it only after on_stopped ran.
#pragma once

#include <sys/signalfd.h>

#include <initializer_list>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "core/op.h"
#include "core/ring.h"
#include "core/unique_fd.h"

namespace ringleader {

class SignalReader final : public Op {
 public:
  using OnSignal = absl::AnyInvocable<void(const signalfd_siginfo& info) noexcept>;
  // Runs once, at the final completion: `res` is 0 after Stop(), or the negative errno of a
  // read that cannot be retried (the reader is over then; signals stay blocked and pending).
  using OnStopped = absl::AnyInvocable<void(int res) noexcept>;

  // Blocks `signals` and opens the signalfd (core/signals.h OpenSignalFd). Reads start at Start.
  static absl::StatusOr<std::unique_ptr<SignalReader>> Open(std::initializer_list<int> signals,
                                                            OnSignal on_signal,
                                                            OnStopped on_stopped);

  // Arms the first read; after each signal the next read is armed before the handler runs, so
  // a handler may call Stop().
  void Start(Ring& ring) noexcept;
  // Cancels the read. Signals read after this are dropped; on_stopped follows (once started).
  // Idempotent.
  void Stop() noexcept;

 private:
  SignalReader(UniqueFd fd, OnSignal on_signal, OnStopped on_stopped);
  void Arm() noexcept;
  void Prep(io_uring_sqe* sqe) noexcept override;
  void OnComplete(int res, uint32_t flags) noexcept override;

  UniqueFd fd_;
  OnSignal on_signal_;
  OnStopped on_stopped_;
  Ring* ring_ = nullptr;
  bool stopping_ = false;
  signalfd_siginfo info_{};  // the kernel writes here while a read is in flight
};

}  // namespace ringleader
