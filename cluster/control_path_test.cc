// Unit tests for cluster/control_path.h: the rule ringleader and ringleader-ctl share.
#include "cluster/control_path.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace ringleader {
namespace {

TEST(ControlPathTest, UnderTheRuntimeDirWhenThereIsOne) {
  EXPECT_EQ(ControlPathFor("/run/user/1000", 1000, 3000), "/run/user/1000/ringleader-3000.sock");
}

TEST(ControlPathTest, InTmpWithTheUidOtherwise) {
  EXPECT_EQ(ControlPathFor("", 0, 8080), "/tmp/ringleader-0-8080.sock");
  EXPECT_EQ(ControlPathFor("", 1000, 3000), "/tmp/ringleader-1000-3000.sock");
}

TEST(ControlPathTest, DefaultReadsTheEnvironment) {
  const char* saved = std::getenv("XDG_RUNTIME_DIR");
  const std::string restore = saved != nullptr ? saved : "";
  ::setenv("XDG_RUNTIME_DIR", "/run/user/77", 1);
  EXPECT_EQ(DefaultControlPath(3000), "/run/user/77/ringleader-3000.sock");
  ::setenv("XDG_RUNTIME_DIR", "", 1);  // set but empty counts as unset
  EXPECT_EQ(DefaultControlPath(3001), absl::StrCat("/tmp/ringleader-", ::getuid(), "-3001.sock"));
  ::unsetenv("XDG_RUNTIME_DIR");
  EXPECT_EQ(DefaultControlPath(3002), absl::StrCat("/tmp/ringleader-", ::getuid(), "-3002.sock"));
  if (saved != nullptr) ::setenv("XDG_RUNTIME_DIR", restore.c_str(), 1);
}

}  // namespace
}  // namespace ringleader
