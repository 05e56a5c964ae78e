// How connections reach workers (--sched): the listening sockets, and the hand-off of the
// connections the primary accepts itself. Part of Primary.
//
//   shared     one socket; every worker accepts from it; the primary never accepts.
//   rr         one socket; the primary multishot-accepts and hands each connection over its
//              channel (SCM_RIGHTS) to a worker chosen by cluster/distribution.h.
//   reuseport  one SO_REUSEPORT socket per slot, kept here so a replacement inherits the slot's
//              queue. A slot with no serving worker (restarting, parked, scaled down) is not
//              closed — that would reset its queue unless the host sets net.ipv4.tcp_migrate_req
//              — the primary accepts from it and hands those connections over as rr does.
//
// A hand-off never blocks the loop and never loses the connection: a worker with
// kMaxUnacknowledgedHandOffs unacknowledged is skipped; with no worker to take it, the
// connection waits here and the primary stops accepting (the rest wait in the kernel's queue);
// what a dead worker's channel never sent is handed to another.
#include <fcntl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "cluster/log_lines.h"
#include "cluster/primary.h"
#include "core/status.h"
#include "ipc/bus_protocol.h"
#include "net/listener.h"

namespace ringleader {
namespace {
// Connections accepted before the accept stopped, waiting for a worker; beyond, closed.
constexpr size_t kMaxPending = 4096;
// How often an accepting intake is checked for a missed wake-up, and an erring one retried.
constexpr absl::Duration kIntakeTick = absl::Milliseconds(250);
}  // namespace

Primary::Intake::Intake(int slot_index, int listen_fd, Primary& primary)
    : slot(slot_index),
      fd(listen_fd),
      accept([this, &primary](int res, uint32_t flags) noexcept {
        primary.OnIntakeAccept(*this, res, flags);
      }) {}

absl::Status Primary::OpenListeners() {
  RL_ASSIGN_OR_RETURN(const bool activated, TakeActivatedListener());
  if (!activated) {
    ListenOptions listen = options_.listen;
    listen.reuse_port = options_.scheduling == Scheduling::kReusePort;
    RL_ASSIGN_OR_RETURN(listener_, OpenListener(listen));
  }
  intake_tick_op_ =
      std::make_unique<TimeoutOp>([this](int res, uint32_t) noexcept { OnIntakeTick(res); });
  switch (options_.scheduling) {
    case Scheduling::kShared: return absl::OkStatus();
    case Scheduling::kRoundRobin:
      intakes_.push_back(std::make_unique<Intake>(-1, listener_.get(), *this));
      return absl::OkStatus();
    case Scheduling::kReusePort: {
      // Every later slot binds the port the first one got (--port=0 included).
      RL_ASSIGN_OR_RETURN(options_.listen.port, LocalPort(listener_.get()));
      slot_listeners_.push_back(UniqueFd(::dup(listener_.get())));
      if (!slot_listeners_.back()) return ErrnoStatus(errno, "dup");
      intakes_.push_back(std::make_unique<Intake>(0, slot_listeners_.back().get(), *this));
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Primary::ListenerFor(int slot) {
  switch (options_.scheduling) {
    case Scheduling::kShared: return listener_.get();
    case Scheduling::kRoundRobin: return -1;
    case Scheduling::kReusePort: break;
  }
  while (static_cast<int>(slot_listeners_.size()) <= slot) {
    ListenOptions listen = options_.listen;
    listen.reuse_port = true;
    RL_ASSIGN_OR_RETURN(UniqueFd fd, OpenListener(listen));
    slot_listeners_.push_back(std::move(fd));
    intakes_.push_back(std::make_unique<Intake>(static_cast<int>(slot_listeners_.size()) - 1,
                                                slot_listeners_.back().get(), *this));
    // The kernel sends it connections from now on: ours until its worker listens.
    UpdateIntakes();
  }
  return slot_listeners_[static_cast<size_t>(slot)].get();
}

bool Primary::IsServing(const WorkerProcess& worker) noexcept {
  const auto it = lives_.find(&worker);
  return it != lives_.end() && it->second.state == WorkerState::kListening &&
         !it->second.handoffs_stopped && worker.channel_open();
}

bool Primary::SlotServing(int slot) noexcept {
  for (const auto& w : workers_) {
    if (w->slot() == slot && IsServing(*w)) return true;
  }
  return false;
}

void Primary::OnServingChanged() noexcept {
  if (!PrimaryAccepts()) return;
  HandOffPending();
  UpdateIntakes();
}

void Primary::UpdateIntakes() noexcept {
  bool anyone_serving = false;
  for (const auto& w : workers_) anyone_serving = anyone_serving || IsServing(*w);
  for (auto& intake : intakes_) {
    // rr: always, while someone can take; reuseport: a slot's socket only while it has nobody.
    const bool wanted = !stopping() && anyone_serving && pending_.empty() &&
                        (intake->slot < 0 || !SlotServing(intake->slot));
    if (wanted && !intake->accept.in_flight() && !intake->backing_off) {
      intake->accept.Arm(*ring_, intake->fd, /*multishot=*/true);
    } else if (!wanted && intake->accept.in_flight()) {
      ring_->Cancel(intake->accept);
    }
    if (!stopping() && !intake_tick_op_->in_flight() &&
        (intake->accept.in_flight() || intake->backing_off)) {
      intake_tick_op_->Arm(*ring_, kIntakeTick);
    }
  }
  if (stopping()) ring_->Cancel(*intake_tick_op_);  // no-op unless armed
}

void Primary::OnIntakeTick(int res) noexcept {
  if (res == -ETIME) {
    for (auto& intake : intakes_) {
      intake->backing_off = false;
      if (intake->accept.in_flight() && intake->watch.Stalled(intake->fd, intake->accepted)) {
        ring_->Cancel(intake->accept);  // its completion re-arms it
      }
    }
    UpdateIntakes();
  }
  MaybeFinish();
}

void Primary::OnIntakeAccept(Intake& intake, int res, uint32_t flags) noexcept {
  if (res >= 0) {
    ++intake.accepted;
    Distribute(UniqueFd(res));
  }
  if ((flags & IORING_CQE_F_MORE) != 0) return;
  // The multishot ended: cancelled, or an error such as EMFILE that a retry soon may not repeat.
  if (res < 0 && res != -ECANCELED && res != -EINTR && res != -ECONNABORTED) {
    LogError(ErrnoStatus(-res, absl::StrCat("accepting connections (slot ", intake.slot, ")")));
    intake.backing_off = true;
  }
  UpdateIntakes();
  MaybeFinish();
}

void Primary::Distribute(UniqueFd connection) noexcept {
  // Connections keep their order: nothing overtakes one already waiting.
  if (pending_.empty() && HandOff(connection)) return;
  if (pending_.size() >= kMaxPending) {
    ++dropped_connections_;
    if ((dropped_connections_ & (dropped_connections_ - 1)) == 0) {  // 1st, 2nd, 4th, ...
      LogError(absl::StrCat("no worker can take connections: ", dropped_connections_,
                            " closed so far"));
    }
    return;  // closed as `connection` goes
  }
  pending_.push_back(std::move(connection));
  UpdateIntakes();  // stop accepting until a worker has room
}

bool Primary::HandOff(UniqueFd& connection) noexcept {
  // Reused for every connection: the primary's hot path allocates nothing once warm.
  std::vector<PickCandidate>& candidates = pick_candidates_;
  std::vector<WorkerProcess*>& by_index = pick_workers_;
  candidates.clear();
  by_index.clear();
  for (const auto& w : workers_) {
    if (!IsServing(*w)) continue;
    const HandOffLedger& ledger = LifeOf(*w).handoffs;
    candidates.push_back({.slot = w->slot(), .load = ledger.Load(), .full = ledger.Full()});
    by_index.push_back(w.get());
  }
  std::optional<uint64_t> client;
  if (options_.sticky == Sticky::kClientIp) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    client = ::getpeername(connection.get(), reinterpret_cast<sockaddr*>(&peer), &length) == 0
                 ? ClientKey(peer)
                 : 0;
  }
  for (;;) {
    const std::optional<size_t> pick = client ? WorkerPicker::Sticky(*client, candidates)
                                              : picker_.LeastLoaded(candidates);
    if (!pick) return false;
    WorkerProcess& w = *by_index[*pick];
    // Ours until the worker acknowledges it (a dup: the channel closes its own once sent).
    UniqueFd copy(::fcntl(connection.get(), F_DUPFD_CLOEXEC, 0));
    if (w.HandOff(std::move(connection))) {
      WorkerLife& life = LifeOf(w);
      life.handoffs.Handed();
      if (copy) life.unacknowledged.push_back(std::move(copy));
      SendHandOffsThisTurn(w);
      return true;
    }
    candidates[*pick].full = true;  // its control lane is full: the next one
  }
}

void Primary::SendHandOffsThisTurn(WorkerProcess& worker) noexcept {
  // One sendmsg carries up to Channel::kMaxFdsPerSend of a turn's connections, and every
  // worker's goes to the kernel in the same submit.
  if (handoffs_to_send_.empty()) {
    ring_->Defer([this] {
      for (const auto& [slot, generation] : handoffs_to_send_) {
        if (WorkerProcess* w = FindWorker(slot, generation)) w->SendHandOffs();
      }
      handoffs_to_send_.clear();
    });
  }
  const std::pair<int, uint32_t> key{worker.slot(), worker.generation()};
  if (std::find(handoffs_to_send_.begin(), handoffs_to_send_.end(), key) ==
      handoffs_to_send_.end()) {
    handoffs_to_send_.push_back(key);
  }
}

void Primary::HandOffPending() noexcept {
  while (!pending_.empty() && HandOff(pending_.front())) pending_.pop_front();
}

void Primary::OnTaken(WorkerProcess& worker, const Envelope& message) noexcept {
  const std::optional<TakenReport> report = ReadTaken(message.body);
  if (!report) return worker.CountBad(worker.counters().bad_json, "taken without its counts");
  WorkerLife& life = LifeOf(worker);
  const uint64_t before = life.handoffs.handed() - life.handoffs.unacknowledged();
  life.handoffs.Taken(*report);
  const uint64_t now = life.handoffs.handed() - life.handoffs.unacknowledged();
  for (uint64_t i = before; i < now && !life.unacknowledged.empty(); ++i) {
    ring_->CloseInBackground(std::move(life.unacknowledged.front()));
    life.unacknowledged.pop_front();
  }
  if (!pending_.empty()) OnServingChanged();
}

void Primary::StopHandOffs(WorkerProcess& worker) noexcept {
  if (!PrimaryAccepts()) return;
  WorkerLife& life = LifeOf(worker);
  if (life.handoffs_stopped) return;
  life.handoffs_stopped = true;
  // After every connection already queued for it (same lane, in order): none follows.
  worker.SendControl(kHandOffEndFrame);
  OnServingChanged();
}

void Primary::RedistributeUnacknowledged(WorkerProcess& worker) noexcept {
  std::deque<UniqueFd> connections = std::move(LifeOf(worker).unacknowledged);
  // A worker that drained took every connection sent before handoff_end, acknowledged or not
  // (its drain waits for it): only one that died, or whose channel broke and dropped what was
  // queued, leaves some that nobody serves.
  const ExitStatus& st = worker.exit_status();
  if (!st.signaled && st.code == kExitOk && !worker.channel_broke()) return;
  for (UniqueFd& connection : connections) Distribute(std::move(connection));
}

bool Primary::IntakesIdle() const noexcept {
  for (const auto& intake : intakes_) {
    if (intake->accept.in_flight()) return false;
  }
  return intake_tick_op_ == nullptr || !intake_tick_op_->in_flight();
}

}  // namespace ringleader
