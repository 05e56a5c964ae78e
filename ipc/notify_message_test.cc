// Unit tests for ipc/notify_message.h: every key, accepted and ignored values, bounds, garbage,
// STATUS truncation and control characters.
#include "ipc/notify_message.h"

#include <gtest/gtest.h>

#include <string>

namespace ringleader {
namespace {

NotifyMessage Parse(std::string_view datagram) {
  absl::StatusOr<NotifyMessage> m = ParseNotifyMessage(datagram);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : NotifyMessage{};
}

bool Refused(std::string_view datagram) {
  return ParseNotifyMessage(datagram).status().code() == absl::StatusCode::kInvalidArgument;
}

TEST(NotifyMessageTest, EachFlagKey) {
  EXPECT_TRUE(Parse("READY=1").ready);
  EXPECT_TRUE(Parse("RELOADING=1").reloading);
  EXPECT_TRUE(Parse("STOPPING=1").stopping);
  EXPECT_EQ(Parse("WATCHDOG=1").watchdog, WatchdogSignal::kHeartbeat);
  EXPECT_EQ(Parse("WATCHDOG=trigger").watchdog, WatchdogSignal::kTrigger);
  const NotifyMessage ready = Parse("READY=1\n");
  EXPECT_FALSE(ready.reloading);
  EXPECT_FALSE(ready.stopping);
  EXPECT_EQ(ready.watchdog, WatchdogSignal::kNone);
  EXPECT_FALSE(ready.status.has_value());
  EXPECT_FALSE(ready.mainpid.has_value());
}

TEST(NotifyMessageTest, SeveralAssignmentsInOneDatagram) {
  const NotifyMessage m = Parse("READY=1\nSTATUS=serving\nMAINPID=4242\nWATCHDOG=1\n\n");
  EXPECT_TRUE(m.ready);
  EXPECT_EQ(m.status, "serving");
  EXPECT_EQ(m.mainpid, 4242);
  EXPECT_EQ(m.watchdog, WatchdogSignal::kHeartbeat);
  EXPECT_EQ(m.unknown_keys, 0);
  EXPECT_EQ(m.ignored_values, 0);
  // The later assignment wins.
  EXPECT_EQ(Parse("STATUS=a\nSTATUS=b").status, "b");
  EXPECT_EQ(Parse("WATCHDOG=1\nWATCHDOG=trigger").watchdog, WatchdogSignal::kTrigger);
}

TEST(NotifyMessageTest, OnlyTheExactValueOneSetsAFlag) {
  const NotifyMessage m = Parse("READY=0\nRELOADING=yes\nSTOPPING=11\nWATCHDOG=2\nSTATUS=x");
  EXPECT_FALSE(m.ready);
  EXPECT_FALSE(m.reloading);
  EXPECT_FALSE(m.stopping);
  EXPECT_EQ(m.watchdog, WatchdogSignal::kNone);
  EXPECT_EQ(m.ignored_values, 4);
  EXPECT_TRUE(Refused("READY=0"));
  EXPECT_TRUE(Refused("READY= 1"));
  EXPECT_TRUE(Refused("READY=1 "));
  EXPECT_TRUE(Refused("ready=1"));
}

TEST(NotifyMessageTest, MainPidIsAPositiveDecimal) {
  EXPECT_EQ(Parse("MAINPID=1").mainpid, 1);
  for (const char* bad : {"MAINPID=0", "MAINPID=-3", "MAINPID=+3", "MAINPID=3x", "MAINPID=",
                          "MAINPID=99999999999", "MAINPID= 3"}) {
    EXPECT_TRUE(Refused(bad)) << bad;
  }
  EXPECT_EQ(Parse("MAINPID=abc\nREADY=1").ignored_values, 1);
}

TEST(NotifyMessageTest, UnknownKeysAreCountedNotFatal) {
  const NotifyMessage m = Parse("ERRNO=2\nREADY=1\nMONOTONIC_USEC=123\nX=");
  EXPECT_TRUE(m.ready);
  EXPECT_EQ(m.unknown_keys, 3);
  EXPECT_TRUE(Refused("ERRNO=2\nFDSTORE=1"));  // nothing recognised
}

TEST(NotifyMessageTest, Garbage) {
  EXPECT_TRUE(Refused(""));
  EXPECT_TRUE(Refused("\n\n"));
  EXPECT_TRUE(Refused("hello"));
  EXPECT_TRUE(Refused("READY=1\nhello"));           // one bad line spoils the datagram
  EXPECT_TRUE(Refused("=1"));                       // no key
  EXPECT_TRUE(Refused(std::string("READY=1\0", 8)));  // NUL
  EXPECT_TRUE(Refused(std::string("STATUS=a\0b", 10)));
}

TEST(NotifyMessageTest, SizeBound) {
  const std::string fits = "STATUS=" + std::string(kMaxNotifyDatagram - 7, 'a');
  ASSERT_EQ(fits.size(), kMaxNotifyDatagram);
  EXPECT_TRUE(ParseNotifyMessage(fits).ok());
  EXPECT_TRUE(Refused(fits + "a"));
  EXPECT_TRUE(Refused("READY=1\n" + std::string(kMaxNotifyDatagram, '\n')));
}

TEST(NotifyMessageTest, StatusIsTruncated) {
  const NotifyMessage m = Parse("STATUS=" + std::string(1000, 'x'));
  ASSERT_TRUE(m.status.has_value());
  EXPECT_EQ(*m.status, std::string(kMaxNotifyStatus, 'x'));
  EXPECT_EQ(Parse("STATUS=").status, "");
}

TEST(NotifyMessageTest, StatusLosesControlCharacters) {
  EXPECT_EQ(Parse("STATUS=a\tb\rc\x1b[31md\x7f" "e").status, "abc[31mde");
  // Kept bytes still count up to the bound, control bytes do not.
  const NotifyMessage m = Parse("STATUS=" + std::string(300, '\x01') + std::string(300, 'y'));
  EXPECT_EQ(*m.status, std::string(kMaxNotifyStatus, 'y'));
  EXPECT_EQ(Parse("STATUS=caf\xc3\xa9").status, "caf\xc3\xa9");  // UTF-8 is kept
}

TEST(NotifyMessageTest, StatusIsCutOnACharacterBoundary) {
  // 255 ASCII bytes then a two-byte character: keeping its first byte would leave broken UTF-8.
  const NotifyMessage two = Parse("STATUS=" + std::string(255, 'a') + "\xc3\xa9");
  EXPECT_EQ(*two.status, std::string(255, 'a'));
  // 254 + a three-byte character (cut after two of its bytes).
  const NotifyMessage three = Parse("STATUS=" + std::string(254, 'a') + "\xe2\x82\xac");
  EXPECT_EQ(*three.status, std::string(254, 'a'));
  // 253 + three bytes fit exactly.
  const NotifyMessage exact = Parse("STATUS=" + std::string(253, 'a') + "\xe2\x82\xac");
  EXPECT_EQ(*exact.status, std::string(253, 'a') + "\xe2\x82\xac");
}

}  // namespace
}  // namespace ringleader
