// Unit tests for cluster/distribution.h: the hand-off ledger, least-loaded round-robin, sticky
// rendezvous hashing and client keys.
#include "cluster/distribution.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <map>
#include <set>
#include <vector>

namespace ringleader {
namespace {

sockaddr_storage V4(const char* ip, uint16_t port) {
  sockaddr_storage s{};
  auto& a = reinterpret_cast<sockaddr_in&>(s);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return s;
}

sockaddr_storage V6(const char* ip, uint16_t port) {
  sockaddr_storage s{};
  auto& a = reinterpret_cast<sockaddr_in6&>(s);
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  inet_pton(AF_INET6, ip, &a.sin6_addr);
  return s;
}

std::vector<PickCandidate> Slots(std::initializer_list<int> slots) {
  std::vector<PickCandidate> c;
  for (int s : slots) c.push_back({.slot = s});
  return c;
}

TEST(HandOffLedgerTest, LoadIsTheLastReportPlusWhatWasHandedSince) {
  HandOffLedger l;
  for (int i = 0; i < 5; ++i) l.Handed();
  EXPECT_EQ(l.Load(), 5);
  l.Taken({.taken = 3, .open = 1});  // took 3, two of which already closed
  EXPECT_EQ(l.Load(), 1 + 2);
  EXPECT_EQ(l.unacknowledged(), 2u);
}

TEST(HandOffLedgerTest, FullAtTheCapUntilAcknowledged) {
  HandOffLedger l;
  for (uint64_t i = 0; i < kMaxUnacknowledgedHandOffs; ++i) {
    EXPECT_FALSE(l.Full());
    l.Handed();
  }
  EXPECT_TRUE(l.Full());
  l.Taken({.taken = 1, .open = 1});
  EXPECT_FALSE(l.Full());
}

TEST(HandOffLedgerTest, ReportsGoingBackwardsOrBeyondWhatWasHandedAreIgnored) {
  HandOffLedger l;
  for (int i = 0; i < 4; ++i) l.Handed();
  l.Taken({.taken = 3, .open = 3});
  l.Taken({.taken = 2, .open = 0});  // an older report arriving late
  EXPECT_EQ(l.Load(), 3 + 1);
  l.Taken({.taken = 1000, .open = 0});  // a worker claiming more than it got
  EXPECT_EQ(l.unacknowledged(), 1u);
  EXPECT_EQ(l.Load(), 3 + 1);
}

TEST(WorkerPickerTest, EqualWorkersTakeTurnsInSlotOrder) {
  WorkerPicker picker;
  const std::vector<PickCandidate> c = Slots({0, 1, 2});
  std::vector<int> order;
  for (int i = 0; i < 7; ++i) order.push_back(c[*picker.LeastLoaded(c)].slot);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 0, 1, 2, 0}));
}

TEST(WorkerPickerTest, TheLeastLoadedWinsAndFullOnesAreSkipped) {
  WorkerPicker picker;
  std::vector<PickCandidate> c = Slots({0, 1, 2});
  c[0].load = 5;
  c[1].load = 2;
  c[2].load = 2;
  c[1].full = true;
  EXPECT_EQ(c[*picker.LeastLoaded(c)].slot, 2);
  c[2].full = true;
  EXPECT_EQ(c[*picker.LeastLoaded(c)].slot, 0) << "full workers overflow to the next";
  c[0].full = true;
  EXPECT_FALSE(picker.LeastLoaded(c).has_value());
  EXPECT_FALSE(picker.LeastLoaded({}).has_value());
}

TEST(WorkerPickerTest, TurnsSurviveAWorkerLeavingTheCandidates) {
  WorkerPicker picker;
  std::vector<PickCandidate> all = Slots({0, 1, 2});
  EXPECT_EQ(all[*picker.LeastLoaded(all)].slot, 0);
  EXPECT_EQ(all[*picker.LeastLoaded(all)].slot, 1);
  const std::vector<PickCandidate> without_2 = Slots({0, 1});  // slot 2 draining
  EXPECT_EQ(without_2[*picker.LeastLoaded(without_2)].slot, 0) << "wraps past the gone slot";
}

TEST(WorkerPickerTest, ManyPicksSpreadEvenlyWhenLoadsFollowTheHandOffs) {
  WorkerPicker picker;
  std::vector<PickCandidate> c = Slots({0, 1, 2, 3});
  std::map<int, int> count;
  for (int i = 0; i < 1000; ++i) {
    const size_t k = *picker.LeastLoaded(c);
    ++count[c[k].slot];
    ++c[k].load;
    if (i % 7 == 0) c[(i / 7) % 4].load = 0;  // some close in between
  }
  for (const auto& [slot, n] : count) EXPECT_NEAR(n, 250, 50) << "slot " << slot;
}

TEST(WorkerPickerTest, StickyKeepsAClientOnOneSlotAndMovesOnlyItWhenTheSlotGoes) {
  const std::vector<PickCandidate> all = Slots({0, 1, 2, 3});
  std::map<uint64_t, int> home;
  std::set<int> used;
  for (uint64_t client = 1; client <= 400; ++client) {
    const int slot = all[*WorkerPicker::Sticky(client, all)].slot;
    EXPECT_EQ(all[*WorkerPicker::Sticky(client, all)].slot, slot) << "not stable";
    home[client] = slot;
    used.insert(slot);
  }
  EXPECT_EQ(used.size(), 4u) << "some slot never chosen";
  // Slot 2 stops serving: its clients go elsewhere, everybody else stays.
  const std::vector<PickCandidate> without_2 = Slots({0, 1, 3});
  for (const auto& [client, slot] : home) {
    const int now = without_2[*WorkerPicker::Sticky(client, without_2)].slot;
    if (slot != 2) EXPECT_EQ(now, slot) << "client " << client << " moved needlessly";
    if (slot == 2) EXPECT_NE(now, 2);
  }
  // It serves again: everyone is home.
  for (const auto& [client, slot] : home) {
    EXPECT_EQ(all[*WorkerPicker::Sticky(client, all)].slot, slot);
  }
}

TEST(WorkerPickerTest, StickyOverflowsPastAFullWorker) {
  std::vector<PickCandidate> c = Slots({0, 1});
  const size_t first = *WorkerPicker::Sticky(42, c);
  c[first].full = true;
  const size_t second = *WorkerPicker::Sticky(42, c);
  EXPECT_NE(second, first);
  c[second].full = true;
  EXPECT_FALSE(WorkerPicker::Sticky(42, c).has_value());
}

TEST(ClientKeyTest, TheAddressNotThePortAndMappedV4IsV4) {
  EXPECT_EQ(ClientKey(V4("127.0.0.2", 1000)), ClientKey(V4("127.0.0.2", 2000)));
  EXPECT_NE(ClientKey(V4("127.0.0.2", 1000)), ClientKey(V4("127.0.0.3", 1000)));
  EXPECT_EQ(ClientKey(V6("::ffff:127.0.0.2", 5)), ClientKey(V4("127.0.0.2", 6)));
  EXPECT_NE(ClientKey(V6("::1", 5)), ClientKey(V6("::2", 5)));
}

}  // namespace
}  // namespace ringleader
