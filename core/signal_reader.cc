// SignalReader: the signalfd read, its error policy and its re-arm.
#include "core/signal_reader.h"

#include <cerrno>

#include "core/signals.h"
#include "core/status.h"

namespace ringleader {

absl::StatusOr<std::unique_ptr<SignalReader>> SignalReader::Open(
    std::initializer_list<int> signals, OnSignal on_signal, OnStopped on_stopped) {
  RL_ASSIGN_OR_RETURN(UniqueFd fd, OpenSignalFd(signals));
  return std::unique_ptr<SignalReader>(
      new SignalReader(std::move(fd), std::move(on_signal), std::move(on_stopped)));
}

SignalReader::SignalReader(UniqueFd fd, OnSignal on_signal, OnStopped on_stopped)
    : fd_(std::move(fd)), on_signal_(std::move(on_signal)), on_stopped_(std::move(on_stopped)) {}

void SignalReader::Start(Ring& ring) noexcept {
  ring_ = &ring;
  Arm();
}

void SignalReader::Stop() noexcept {
  stopping_ = true;
  if (ring_ != nullptr) ring_->Cancel(*this);
}

void SignalReader::Arm() noexcept { ring_->Start(*this); }

void SignalReader::Prep(io_uring_sqe* sqe) noexcept {
  io_uring_prep_read(sqe, fd_.get(), &info_, sizeof info_, 0);
}

void SignalReader::OnComplete(int res, uint32_t) noexcept {
  if (res == -ECANCELED || stopping_) return on_stopped_(0);
  if (res < 0) {
    // Interrupted or not ready: nothing was consumed, so read again. Anything else (EBADF,
    // EINVAL) would fail the same way forever: end the reader and say why instead of spinning.
    if (res == -EINTR || res == -EAGAIN) return Arm();
    return on_stopped_(res);
  }
  // signalfd returns whole records; a read that returns none carries nothing to act on.
  if (res != static_cast<int>(sizeof info_)) return Arm();
  const signalfd_siginfo info = info_;  // the next read reuses info_
  Arm();
  on_signal_(info);
}

}  // namespace ringleader
