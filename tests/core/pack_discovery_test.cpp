// Pack discovery: pack.json directories along the search path, first name wins, bad JSON reported.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/pack_discovery.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(PackDiscovery, FindsPacksInPathOrderAndReportsBadManifests) {
  const fs::path root = fs::temp_directory_path() / ("meshrt_packs_" + std::to_string(::getpid()));
  fs::remove_all(root);
  writeFile(root / "a/cup/pack.json", R"({"name": "cup", "head": "objectron"})");
  writeFile(root / "a/broken/pack.json", "{not json");
  writeFile(root / "a/notapack/readme.txt", "no manifest here");
  writeFile(root / "a/.install-cup-x1/pack.json", R"({"name": "cup", "head": "staged"})");  // install_packs.py staging
  writeFile(root / "b/cup/pack.json", R"({"name": "cup", "head": "other"})");
  writeFile(root / "b/face/pack.json", R"({"name": "face", "head": "face"})");

  const auto packs = discoverPacks({(root / "a").string(), (root / "missing").string(), (root / "b").string()});
  ASSERT_EQ(packs.size(), 3u);
  EXPECT_EQ(packs[0].name, "broken");
  EXPECT_NE(packs[0].error.find("pack.json: not a JSON object"), std::string::npos);
  EXPECT_EQ(packs[1].name, "cup");
  EXPECT_EQ(packs[1].head, "objectron") << "the first directory on the path wins";
  EXPECT_EQ(packs[2].name, "face");
  fs::remove_all(root);
}

TEST(PackDiscovery, SearchPathHonoursEnvironment) {
  const char* savedCache = std::getenv("MESHRT_CACHE");
  const std::string savedCacheValue = savedCache ? savedCache : "";
  ::unsetenv("MESHRT_CACHE");
  ::setenv("MESHRT_PACK_PATH", "/x:/y", 1);
  ::setenv("XDG_CACHE_HOME", "/cache", 1);
  const auto path = packSearchPath("/bundled");
  ::setenv("MESHRT_CACHE", "/meshrt-cache", 1);
  const auto cachePath = packSearchPath("");
  ::unsetenv("MESHRT_PACK_PATH");
  ::unsetenv("XDG_CACHE_HOME");
  if (savedCache) ::setenv("MESHRT_CACHE", savedCacheValue.c_str(), 1); else ::unsetenv("MESHRT_CACHE");
  ASSERT_EQ(path.size(), 4u);
  EXPECT_EQ(path[0], "/x");
  EXPECT_EQ(path[1], "/y");
  EXPECT_EQ(path[2], "/cache/meshrt/packs");
  EXPECT_EQ(path[3], "/bundled");
  ASSERT_EQ(cachePath.size(), 3u);
  EXPECT_EQ(cachePath[2], "/meshrt-cache/packs") << "MESHRT_CACHE wins over XDG_CACHE_HOME, as in install_packs.py";
}

}  // namespace
}  // namespace meshrt
