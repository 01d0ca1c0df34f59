// Where tools/fetch_models.py (./meshrt.sh fetch) installs the pinned models, read the same way:
// ${MESHRT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshrt}/models/<name>. A test whose model is
// missing is SKIPPED with the reason, never passed.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace meshrt::test {

inline std::filesystem::path modelCacheDirectory() {
  const char* cache = std::getenv("MESHRT_CACHE");
  if (cache != nullptr && *cache != '\0') return std::filesystem::path(cache) / "models";
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::filesystem::path(xdg) / "meshrt" / "models";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".cache" / "meshrt" / "models";
}

inline std::string cachedModelPath(const std::string& name) { return (modelCacheDirectory() / name).string(); }

}  // namespace meshrt::test

// Declares `variable` = the cached model's path, or skips the test when it is not there.
#define MESHRT_REQUIRE_MODEL(variable, name)                                                   \
  const std::string variable = ::meshrt::test::cachedModelPath(name);                          \
  if (!std::filesystem::exists(variable)) {                                                    \
    GTEST_SKIP() << "models not fetched: run ./meshrt.sh build (" << variable << " is missing)"; \
  }
