// Unit tests for ipc/shared_state.h and ipc/shared_table.h: the API and its bounds, Map()
// refusing what is not our region, tombstones keeping probe chains, a forked process seeing the
// same memory, and the kill loop: a writer SIGKILLed at random points never leaves a counter
// going backwards, a torn entry, or a stuck lock.
#include "ipc/shared_state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ringleader {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

SharedRegion MustCreate() {
  auto region = SharedRegion::Create();
  EXPECT_TRUE(region.ok()) << region.status();
  return std::move(region).value();
}

size_t RegionBytes(const SharedRegion& region) {
  struct stat st {};
  EXPECT_EQ(::fstat(region.fd(), &st), 0);
  return static_cast<size_t>(st.st_size);
}

// Runs `body` in a forked child and returns its exit code (0 = all its checks passed).
template <typename Body>
int InChild(Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

TEST(SharedRegionTest, CountersAddLoadAndBounds) {
  SharedRegion region = MustCreate();
  auto first = region.Counter(0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->Add(), 1u);
  EXPECT_EQ(first->Add(5), 6u);
  EXPECT_EQ(region.Counter(0)->Load(), 6u) << "same slot through another handle";
  EXPECT_EQ(region.Counter(kSharedCounters - 1)->Load(), 0u);
  EXPECT_EQ(region.Counter(kSharedCounters).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(SharedTableTest, PutGetOverwriteEraseSnapshot) {
  SharedRegion region = MustCreate();
  SharedTable table = region.Table();
  EXPECT_EQ(table.Get("a").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(table.Put("a", "1").ok());
  ASSERT_TRUE(table.Put("b", "").ok()) << "an empty value is a value";
  ASSERT_TRUE(table.Put("a", "one").ok());
  EXPECT_EQ(*table.Get("a"), "one");
  EXPECT_EQ(*table.Get("b"), "");
  EXPECT_THAT(*table.Snapshot(), UnorderedElementsAre(SharedTable::Item{"a", "one"},
                                                      SharedTable::Item{"b", ""}));
  ASSERT_TRUE(table.Erase("a").ok());
  EXPECT_EQ(table.Get("a").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(table.Erase("a").code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(*table.Snapshot(), UnorderedElementsAre(SharedTable::Item{"b", ""}));
}

TEST(SharedTableTest, KeyAndValueSizeBounds) {
  SharedRegion region = MustCreate();
  SharedTable table = region.Table();
  EXPECT_EQ(table.Put("", "v").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(table.Put(std::string(kSharedMaxKeyBytes, 'k'), "v").ok());
  EXPECT_EQ(table.Put(std::string(kSharedMaxKeyBytes + 1, 'k'), "v").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(table.Put("k", std::string(kSharedMaxValueBytes, 'v')).ok());
  EXPECT_EQ(*table.Get("k"), std::string(kSharedMaxValueBytes, 'v'));
  const absl::Status too_long = table.Put("k", std::string(kSharedMaxValueBytes + 1, 'v'));
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.message()), HasSubstr("over the limit"));
  EXPECT_EQ(table.Get(std::string(kSharedMaxKeyBytes + 1, 'k')).status().code(),
            absl::StatusCode::kNotFound);
}

// A full table makes every probe chain long and wrap around; erasing every third key puts
// tombstones in the middle of chains. Every other key must stay reachable past them, and new
// keys must reuse the tombstones (the table fills up again exactly).
TEST(SharedTableTest, FullTableTombstonesKeepChainsAndAreReused) {
  SharedRegion region = MustCreate();
  SharedTable table = region.Table();
  auto key = [](size_t i) { return "key-" + std::to_string(i); };
  for (size_t i = 0; i < kSharedTableEntries; ++i) ASSERT_TRUE(table.Put(key(i), key(i)).ok());
  EXPECT_EQ(table.Put("one-more", "x").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(table.Put(key(7), "updated in place").ok()) << "a full table still updates";
  for (size_t i = 0; i < kSharedTableEntries; i += 3) ASSERT_TRUE(table.Erase(key(i)).ok());
  for (size_t i = 0; i < kSharedTableEntries; ++i) {
    auto got = table.Get(key(i));
    if (i % 3 == 0) {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound) << key(i);
    } else {
      ASSERT_TRUE(got.ok()) << key(i) << ": " << got.status();
      EXPECT_EQ(*got, i == 7 ? "updated in place" : key(i));
    }
  }
  for (size_t i = 0; i < kSharedTableEntries; i += 3) {
    ASSERT_TRUE(table.Put("new-" + std::to_string(i), "n").ok()) << i;
  }
  EXPECT_EQ(table.Snapshot()->size(), kSharedTableEntries);
  EXPECT_EQ(table.Put("one-more", "x").code(), absl::StatusCode::kResourceExhausted);
}

TEST(SharedRegionTest, MapRejectsWhatIsNotOurRegion) {
  SharedRegion region = MustCreate();
  const size_t bytes = RegionBytes(region);
  EXPECT_EQ(SharedRegion::Map(-1).status().code(), absl::StatusCode::kInvalidArgument);

  auto memfd = [&](size_t size, bool seal, auto&& fill) {
    UniqueFd fd(::memfd_create("not-ours", MFD_CLOEXEC | MFD_ALLOW_SEALING));
    EXPECT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
    std::string content(size, '\0');
    fill(content);
    EXPECT_EQ(::pwrite(fd.get(), content.data(), size, 0), static_cast<ssize_t>(size));
    constexpr int kSeals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
    if (seal) EXPECT_EQ(::fcntl(fd.get(), F_ADD_SEALS, kSeals), 0);
    return fd;
  };
  auto garbage = [](std::string& c) { for (size_t i = 0; i < c.size(); ++i) c[i] = char(i * 31); };
  auto copy_of_real = [&](std::string& c) {
    ASSERT_EQ(::pread(region.fd(), c.data(), c.size(), 0), static_cast<ssize_t>(c.size()));
  };

  auto small = SharedRegion::Map(memfd(4096, true, garbage).get());
  EXPECT_EQ(small.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(small.status().message()), HasSubstr("expected"));
  auto bad_magic = SharedRegion::Map(memfd(bytes, true, garbage).get());
  EXPECT_THAT(std::string(bad_magic.status().message()), HasSubstr("bad magic"));
  auto unsealed = SharedRegion::Map(memfd(bytes, false, copy_of_real).get());
  EXPECT_THAT(std::string(unsealed.status().message()), HasSubstr("not a sealed memfd"));
  auto other_version = SharedRegion::Map(memfd(bytes, true, [&](std::string& c) {
                                           copy_of_real(c);
                                           c[8] = 99;  // Header::layout_version
                                         }).get());
  EXPECT_EQ(other_version.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(SharedRegion::Map(memfd(bytes, true, copy_of_real).get()).ok());
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  EXPECT_EQ(SharedRegion::Map(read_end.get()).status().code(), absl::StatusCode::kInvalidArgument)
      << "not a file at all";
}

TEST(SharedRegionTest, AForkedMapperSharesCountersAndTable) {
  SharedRegion region = MustCreate();
  ASSERT_TRUE(region.Table().Put("from-parent", "hello").ok());
  region.Counter(1)->Add(10);
  auto for_child = region.DupForChild();
  ASSERT_TRUE(for_child.ok());
  EXPECT_EQ(::fcntl(for_child->get(), F_GETFD) & FD_CLOEXEC, 0) << "must survive exec";
  EXPECT_NE(::fcntl(region.fd(), F_GETFD) & FD_CLOEXEC, 0);

  const int exit_code = InChild([&] {
    auto mapped = SharedRegion::Map(for_child->get());  // a second, independent mapping
    if (!mapped.ok()) return 1;
    auto seen = mapped->Table().Get("from-parent");
    if (!seen.ok() || *seen != "hello") return 2;
    if (mapped->Counter(1)->Add() != 11) return 3;
    return mapped->Table().Put("from-child", "hi").ok() ? 0 : 4;
  });
  ASSERT_EQ(exit_code, 0);
  EXPECT_EQ(region.Counter(1)->Load(), 11u);
  EXPECT_EQ(*region.Table().Get("from-child"), "hi");
}

// The kill loop. Values check themselves: "<key>=<n>|" then "<n>|" repeated up to a length that
// depends on n, so a mix of two writes (other n, other length, other key) cannot pass.
constexpr int kKillKeys = 6;
constexpr size_t kKillCounters = 3;

std::string_view KillKey(int k) {
  static constexpr const char* kKeys[kKillKeys] = {"k0", "k1", "k2", "key-three", "k4", "k5"};
  return kKeys[k];
}

// Writes the value for (key, n) into `buffer` without allocating (the child is a forked copy).
std::string_view MakeValue(std::string_view key, uint64_t n, char (&buffer)[kSharedMaxValueBytes]) {
  const size_t length = 24 + (n * 37) % (kSharedMaxValueBytes - 24 + 1);
  char number[24];
  const int digits =
      std::snprintf(number, sizeof number, "%llu|", static_cast<unsigned long long>(n));
  size_t at = 0;
  for (const char c : key) buffer[at++] = c;
  buffer[at++] = '=';
  while (at < length) buffer[at] = number[(at - key.size() - 1) % digits], ++at;
  return {buffer, length};
}

bool SelfConsistent(std::string_view key, std::string_view value) {
  if (value.size() <= key.size() + 1 || value.substr(0, key.size()) != key) return false;
  const std::string n_text(value.substr(key.size() + 1, value.find('|') - key.size() - 1));
  char buffer[kSharedMaxValueBytes];
  return !n_text.empty() && MakeValue(key, std::stoull(n_text), buffer) == value;
}

// The child: writes forever until killed. Only the region's operations and snprintf.
[[noreturn]] void WriteUntilKilled(const SharedRegion& region, uint64_t n) {
  char buffer[kSharedMaxValueBytes];
  SharedTable table = region.Table();
  for (;; ++n) {
    for (size_t c = 0; c < kKillCounters; ++c) (void)region.Counter(c)->Add(c + 1);
    const std::string_view key = KillKey(static_cast<int>(n % kKillKeys));
    if (n % 7 == 3) {
      (void)table.Erase(key);
    } else {
      (void)table.Put(key, MakeValue(key, n, buffer));
    }
  }
}

// ≥ 300 children SIGKILLed 0–2 ms into their writes. After each: counters never went back,
// every entry (by Get and by Snapshot) is one complete write, and every key can be written
// again at once — even numbered rounds after ReleaseLocksOf(child) (what the primary does),
// odd ones relying on a writer stealing the dead child's lock.
TEST(SharedRegionKillTest, WriterKilledAnywhereLeavesNoTornEntryNoStuckLock) {
  constexpr int kRounds = 300;
  SharedRegion region = MustCreate();
  SharedTable table = region.Table();
  std::mt19937 random(20261202);
  std::uniform_int_distribution<int> delay_us(0, 2000);
  uint64_t last[kKillCounters] = {};
  int released_rounds = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t before = region.Counter(0)->Load();
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) WriteUntilKilled(region, static_cast<uint64_t>(round) * 1'000'000);
    // Wait until the child is writing, so the kill lands inside its loop, not before it.
    for (int i = 0; i < 20'000 && region.Counter(0)->Load() == before; ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);  // reap first: then the pid is gone
    ASSERT_TRUE(WIFSIGNALED(status)) << "child must die by the kill, not exit: " << status;
    if (round % 2 == 0 && region.ReleaseLocksOf(child) > 0) ++released_rounds;

    for (size_t c = 0; c < kKillCounters; ++c) {
      const uint64_t now = region.Counter(c)->Load();
      ASSERT_GE(now, last[c]) << "counter " << c << " went backwards in round " << round;
      last[c] = now;
    }
    auto snapshot = table.Snapshot();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    std::set<std::string> keys;
    for (const SharedTable::Item& item : *snapshot) {
      ASSERT_TRUE(SelfConsistent(item.key, item.value))
          << "torn entry in round " << round << ": " << item.key << " = " << item.value;
      ASSERT_TRUE(keys.insert(item.key).second) << "duplicate key " << item.key;
    }
    char buffer[kSharedMaxValueBytes];
    for (int k = 0; k < kKillKeys; ++k) {
      const std::string_view key = KillKey(k);
      auto got = table.Get(key);
      ASSERT_TRUE(got.ok() || got.status().code() == absl::StatusCode::kNotFound) << got.status();
      if (got.ok()) ASSERT_TRUE(SelfConsistent(key, *got)) << "torn Get: " << *got;
      const absl::Status put = table.Put(key, MakeValue(key, 999'000'000 + k, buffer));
      ASSERT_TRUE(put.ok()) << "round " << round << " key " << key << ": " << put;
    }
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  std::printf("kill loop: %d kills, %d of %d ReleaseLocksOf rounds freed a lock, %lld ms, "
              "counter 0 at %llu\n",
              kRounds, released_rounds, kRounds / 2, static_cast<long long>(elapsed.count()),
              static_cast<unsigned long long>(last[0]));
  EXPECT_GT(last[0], static_cast<uint64_t>(kRounds)) << "children must have done real work";
}

}  // namespace
}  // namespace ringleader
