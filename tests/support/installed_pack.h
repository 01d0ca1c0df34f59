// Tests that need an installed pack (./meshrt.sh fetch installs them, docs/PACKS.md) or one of
// the real photos of tests/data/photos/ (tests/data/README.md). Either missing: the test is
// SKIPPED with the reason, never passed. A pack that is present but fails to load fails the test.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/pack.h"

namespace meshrt::test {

inline std::string bundledPackDirectory() { return std::string(MESHRT_SOURCE_DIR) + "/assets/packs"; }

// tests/data/photos/<name>; $MESHRT_TEST_PHOTOS overrides the directory.
inline std::string testPhotoPath(const std::string& name) {
  const char* override = std::getenv("MESHRT_TEST_PHOTOS");
  const std::string dir = override != nullptr && *override != '\0' ? override : std::string(MESHRT_SOURCE_DIR) + "/tests/data/photos";
  return dir + "/" + name;
}

}  // namespace meshrt::test

// Declares `variable` = the loaded PackSpec of pack `name`, or skips when it is not installed.
#define MESHRT_REQUIRE_PACK(variable, name)                                                         \
  auto variable##Result = ::meshrt::findAndLoadPack(name, ::meshrt::test::bundledPackDirectory());  \
  if (!variable##Result.ok() && variable##Result.error().message.find("not found (searched") != std::string::npos) { \
    GTEST_SKIP() << "pack not installed: run ./meshrt.sh fetch (" << variable##Result.error().message << ")"; \
  }                                                                                                 \
  ASSERT_TRUE(variable##Result.ok()) << variable##Result.error().message;                          \
  const ::meshrt::PackSpec& variable = variable##Result.value()

// Declares `variable` = the path of tests/data/photos/`name`, or skips when it is missing.
#define MESHRT_REQUIRE_PHOTO(variable, name)                                                   \
  const std::string variable = ::meshrt::test::testPhotoPath(name);                             \
  if (!std::filesystem::exists(variable)) {                                                     \
    GTEST_SKIP() << "test photo missing: " << variable << " (tests/data/README.md)";           \
  }
