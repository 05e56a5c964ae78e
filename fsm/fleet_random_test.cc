// Randomized interleavings for fsm/fleet.h: a simulated primary carries out every action and
// feeds back what its workers and timers would do — crashes during a rollout, scaling during a
// rollout, shutdown during a backoff, failed forks, ready timeouts (a worker killed before it
// listens), stale timer completions — and checks invariants after every step:
//   - a slot never has two incoming workers (and the fleet never more than one);
//   - serving workers only decrease when a serving worker dies, on scale-down or on shutdown:
//     a rollout, failed or not, never reduces capacity;
//   - no timer (respawn per slot, stagger) is armed while armed, or cancelled while not;
//   - no input a real primary could send is refused;
//   - every spawn is eventually resolved: after shutdown and every exit, no slot tracks a
//     worker and every slot is stopped or retired.
// Deterministic: a fixed seed, then a loop over several more; sizes bound the run, no clock.
#include "fsm/fleet.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace ringleader {
namespace {

// Which slot states the runs went through, and how many rollouts completed: the interleavings
// must reach every corner, or the invariants prove little.
struct Coverage {
  std::set<SlotState> states;
  int rollouts = 0;
  int steps = 0;
};
Coverage coverage;

struct SimWorker {
  int slot = 0;
  uint32_t generation = 0;
  int pid = 0;
  bool incoming = false;  // spawned for a rollout and not yet listening
  bool listening = false;
  bool draining = false;
  absl::Time born;
};

class World {
 public:
  explicit World(uint64_t seed) : rng_(seed), fleet_({.max_restarts = 4}, seed) {}

  void Run(int steps) {
    Carry(fleet_.Start(Pick(1, 4)));
    for (int i = 0; i < steps && !::testing::Test::HasFailure(); ++i) Step();
    Finish();
  }

 private:
  int Pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  int Serving() const {
    return static_cast<int>(std::count_if(live_.begin(), live_.end(), [](const SimWorker& w) {
      return w.listening && !w.draining;
    }));
  }

  // One random input. Only a serving worker's death, scale-down and shutdown may lower the
  // number of serving workers.
  void Step() {
    now_ += absl::Milliseconds(Pick(0, 1500));
    const int serving = Serving();
    bool may_lower = false;
    switch (Pick(0, 11)) {
      case 0:
      case 1: Listen(); break;
      case 2:
      case 3: may_lower = Exit(); break;
      case 4: FireRespawn(); break;
      case 5: FireStagger(); break;
      case 6: Carry(fleet_.RolloutRequested("SIGUSR2")); break;
      case 7: Carry(fleet_.ScaleUp()); break;
      case 8:
        may_lower = true;
        Carry(fleet_.ScaleDown());
        break;
      case 9: StaleTimer(); break;
      case 10:
        if (Chance(0.05)) {
          may_lower = true;
          Stop();
        }
        break;
      case 11: may_lower = Exit(); break;
    }
    if (!may_lower) EXPECT_GE(Serving(), serving) << "capacity fell without a death";
    CheckIncoming();
    EXPECT_EQ(fleet_.refused(), 0u);
    for (int i = 0; i < fleet_.size(); ++i) coverage.states.insert(fleet_.slot(i).state());
    ++coverage.steps;
  }

  void Listen() {
    std::vector<SimWorker*> ready;
    for (SimWorker& w : live_) {
      if (!w.listening && !w.draining) ready.push_back(&w);
    }
    if (ready.empty()) return;
    SimWorker& w = *ready[static_cast<size_t>(Pick(0, static_cast<int>(ready.size()) - 1))];
    w.listening = true;
    w.incoming = false;
    const FleetStep step = fleet_.WorkerListening(w.slot, w.generation, w.pid);
    EXPECT_TRUE(step.legal);
    Carry(step);
  }

  // A worker exits: crashed, killed by a timeout before listening, or done draining. True when
  // it was serving.
  bool Exit() {
    if (live_.empty()) return false;
    const size_t i = static_cast<size_t>(Pick(0, static_cast<int>(live_.size()) - 1));
    const SimWorker w = live_[i];
    live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i));
    const bool quick = Chance(0.5);
    const WorkerExit exit{.generation = w.generation,
                          .pid = w.pid,
                          .status = w.draining ? "code 0" : (w.listening ? "code 1" : "SIGKILL"),
                          .fatal = !w.draining && Chance(0.05),
                          .ever_listened = w.listening,
                          .uptime = quick ? absl::Milliseconds(10) : absl::Minutes(2),
                          .now = now_};
    const FleetStep step = fleet_.WorkerExited(w.slot, exit);
    EXPECT_TRUE(step.legal);
    Carry(step);
    return w.listening && !w.draining;
  }

  void FireRespawn() {
    std::vector<int> armed;
    for (const auto& [slot, on] : respawn_armed_) {
      if (on) armed.push_back(slot);
    }
    if (armed.empty()) return;
    const int slot = armed[static_cast<size_t>(Pick(0, static_cast<int>(armed.size()) - 1))];
    respawn_armed_[slot] = false;
    Carry(fleet_.RespawnTimerFired(slot));
  }

  void FireStagger() {
    if (!stagger_armed_) return;
    stagger_armed_ = false;
    Carry(fleet_.StaggerElapsed());
  }

  // A cancelled timer whose completion lost the race: harmless.
  void StaleTimer() {
    const int slot = Pick(0, fleet_.size() - 1);
    if (respawn_armed_[slot]) return;
    const FleetStep step = fleet_.RespawnTimerFired(slot);
    EXPECT_TRUE(step.legal);
    EXPECT_TRUE(step.actions.empty());
  }

  // What the primary does on SIGTERM: every live worker is asked to drain, then the fleet.
  void Stop() {
    for (SimWorker& w : live_) w.draining = true;
    Carry(fleet_.Shutdown());
  }

  void Finish() {
    Stop();
    while (!live_.empty() && !::testing::Test::HasFailure()) Exit();
    for (const auto& [slot, on] : respawn_armed_) EXPECT_FALSE(on) << "slot " << slot;
    EXPECT_FALSE(stagger_armed_);
    for (int i = 0; i < fleet_.size(); ++i) {
      const SlotMachine& s = fleet_.slot(i);
      EXPECT_EQ(s.current(), 0u) << "slot " << i << " still tracks a worker";
      EXPECT_EQ(s.incoming(), 0u);
      EXPECT_TRUE(s.state() == SlotState::kStopped || s.state() == SlotState::kRetired)
          << SlotStateName(s.state());
    }
    EXPECT_EQ(fleet_.refused(), 0u);
    coverage.rollouts += fleet_.completed_rollouts();
  }

  void CheckIncoming() {
    std::map<int, int> per_slot;
    int total = 0;
    for (const SimWorker& w : live_) {
      if (!w.incoming || w.draining) continue;
      ++total;
      EXPECT_LE(++per_slot[w.slot], 1) << "slot " << w.slot << " has two incoming workers";
    }
    EXPECT_LE(total, 1) << "two slots replaced at once";
  }

  void Carry(const FleetStep& step) {
    for (const FleetAction& a : step.actions) {
      switch (a.kind) {
        case FleetActionKind::kSlot: CarrySlot(a.slot, a.slot_action); break;
        case FleetActionKind::kArmStagger:
          EXPECT_FALSE(stagger_armed_) << "stagger armed twice";
          stagger_armed_ = true;
          break;
        case FleetActionKind::kCancelStagger:
          EXPECT_TRUE(stagger_armed_);
          stagger_armed_ = false;
          break;
        case FleetActionKind::kAllSlotsParked: stop_requested_ = true; break;
        case FleetActionKind::kReportRolloutStarted:
        case FleetActionKind::kReportRolloutCoalesced:
        case FleetActionKind::kReportRolloutComplete:
        case FleetActionKind::kReportScaleUp:
        case FleetActionKind::kReportScaleDown:
        case FleetActionKind::kReportNotBelowOne:
          break;
      }
    }
    if (std::exchange(stop_requested_, false)) Stop();
  }

  void CarrySlot(int slot, const SlotAction& a) {
    switch (a.kind) {
      case SlotActionKind::kSpawnCurrent:
      case SlotActionKind::kSpawnIncoming: return Spawn(slot, a);
      case SlotActionKind::kDrain: {
        auto it = std::find_if(live_.begin(), live_.end(), [&](const SimWorker& w) {
          return w.slot == slot && w.generation == a.generation;
        });
        ASSERT_NE(it, live_.end()) << "drain of a worker that is gone";
        it->draining = true;
        return;
      }
      case SlotActionKind::kArmRespawn:
        EXPECT_FALSE(respawn_armed_[slot]) << "respawn timer of slot " << slot << " armed twice";
        respawn_armed_[slot] = true;
        return;
      case SlotActionKind::kCancelRespawn:
        EXPECT_TRUE(respawn_armed_[slot]) << "cancel of a timer that is not armed";
        respawn_armed_[slot] = false;
        return;
      case SlotActionKind::kReportExited:
      case SlotActionKind::kReportRestart:
      case SlotActionKind::kReportBackoff:
      case SlotActionKind::kReportParked:
      case SlotActionKind::kRolloutSlotDone:
      case SlotActionKind::kRolloutSlotSkipped:
      case SlotActionKind::kRolloutSlotFailed:
      case SlotActionKind::kRolloutSpawnFailed:
      case SlotActionKind::kSlotParked:
        return;
    }
  }

  void Spawn(int slot, const SlotAction& a) {
    for (const SimWorker& w : live_) {
      ASSERT_FALSE(w.slot == slot && w.generation == a.generation) << "generation reused";
    }
    if (Chance(0.05)) return Carry(fleet_.SpawnFailed(slot, a.generation));
    live_.push_back({.slot = slot,
                     .generation = a.generation,
                     .pid = next_pid_++,
                     .incoming = a.kind == SlotActionKind::kSpawnIncoming,
                     .born = now_});
  }

  std::mt19937_64 rng_;
  Fleet fleet_;
  absl::Time now_ = absl::UnixEpoch();
  std::vector<SimWorker> live_;
  std::map<int, bool> respawn_armed_;
  bool stagger_armed_ = false;
  bool stop_requested_ = false;
  int next_pid_ = 1000;
};

constexpr int kRunsPerSeed = 300;
constexpr int kStepsPerRun = 150;

void RunSeed(uint64_t seed) {
  std::mt19937_64 seeds(seed);
  for (int run = 0; run < kRunsPerSeed && !::testing::Test::HasFailure(); ++run) {
    const uint64_t run_seed = seeds();
    SCOPED_TRACE(testing::Message() << "seed " << seed << " run " << run << " (" << run_seed << ")");
    World(run_seed).Run(kStepsPerRun);
  }
}

TEST(FleetRandomTest, FixedSeed) { RunSeed(0x5107'3ac4'1e5eedULL); }

TEST(FleetRandomTest, SeveralSeeds) {
  for (uint64_t seed = 1; seed <= 8; ++seed) RunSeed(seed);
  EXPECT_EQ(coverage.states.size(), static_cast<size_t>(kSlotStateCount - 1))
      << "every state but vacant (left at start) is reached";
  EXPECT_GT(coverage.rollouts, 100);
  EXPECT_GE(coverage.steps, 8 * kRunsPerSeed * kStepsPerRun / 2);
}

}  // namespace
}  // namespace ringleader
