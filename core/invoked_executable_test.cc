// Unit tests for core/invoked_executable.h: relative, absolute and PATH lookups, resolved at
// each call (a symlink flip or a deletion is seen by the next Resolve).
#include "core/invoked_executable.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace ringleader {
namespace {

class InvokedExecutableTest : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ringleader-exe-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& f : files_) ::unlink(f.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string MakeExecutable(const std::string& name) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n";
    ::chmod(path.c_str(), 0755);
    files_.push_back(path);
    return path;
  }
  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(InvokedExecutableTest, RelativePathIsMadeAbsoluteAgainstTheStartingDirectory) {
  MakeExecutable("server");
  const InvokedExecutable exe("./server", dir_);
  auto path = exe.Resolve();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir_ + "/./server");
}

TEST_F(InvokedExecutableTest, SymlinkIsReturnedUnresolvedSoAFlipIsSeen) {
  MakeExecutable("v1");
  MakeExecutable("v2");
  const std::string link = dir_ + "/current";
  ASSERT_EQ(::symlink("v1", link.c_str()), 0);
  files_.push_back(link);
  const InvokedExecutable exe(link, "/");
  EXPECT_EQ(*exe.Resolve(), link);
  ASSERT_EQ(::unlink(link.c_str()), 0);
  ASSERT_EQ(::symlink("v2", link.c_str()), 0);
  EXPECT_EQ(*exe.Resolve(), link) << "exec follows the link as it is now";
}

TEST_F(InvokedExecutableTest, DeletedProgramIsReportedWithItsPath) {
  const std::string path = MakeExecutable("gone");
  const InvokedExecutable exe(path, "/");
  ASSERT_TRUE(exe.Resolve().ok());
  ASSERT_EQ(::unlink(path.c_str()), 0);
  auto again = exe.Resolve();
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find(path), absl::string_view::npos) << again.status();
  EXPECT_NE(again.status().message().find("No such file"), absl::string_view::npos);
}

TEST_F(InvokedExecutableTest, BareNameIsLookedUpInPathAtEachCall) {
  const char* old = std::getenv("PATH");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("PATH", ("/nonexistent:" + dir_).c_str(), 1);
  const InvokedExecutable exe("ringleader-test-tool", "/");
  EXPECT_FALSE(exe.Resolve().ok());
  MakeExecutable("ringleader-test-tool");
  auto path = exe.Resolve();
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir_ + "/ringleader-test-tool");
}

}  // namespace
}  // namespace ringleader
