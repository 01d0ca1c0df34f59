#include "core/pack_discovery.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

namespace meshrt {

std::vector<std::string> packSearchPath(const std::string& bundledDir) {
  std::vector<std::string> path;
  if (const char* env = std::getenv("MESHRT_PACK_PATH"); env && *env) {
    std::string entries = env;
    size_t start = 0;
    while (start <= entries.size()) {
      const size_t end = std::min(entries.find(':', start), entries.size());
      if (end > start) path.push_back(entries.substr(start, end - start));
      start = end + 1;
    }
  }
  // The installed packs (tools/install_packs.py): ${MESHRT_CACHE:-${XDG_CACHE_HOME:-~/.cache}/meshrt}/packs.
  if (const char* meshrtCache = std::getenv("MESHRT_CACHE"); meshrtCache && *meshrtCache) {
    path.push_back(std::string(meshrtCache) + "/packs");
  } else if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache) {
    path.push_back(std::string(cache) + "/meshrt/packs");
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    path.push_back(std::string(home) + "/.cache/meshrt/packs");
  }
  if (!bundledDir.empty()) path.push_back(bundledDir);
  return path;
}

std::vector<PackEntry> discoverPacks(const std::vector<std::string>& searchPath) {
  namespace fs = std::filesystem;
  std::vector<PackEntry> packs;
  std::set<std::string> seen;
  for (const std::string& root : searchPath) {
    std::error_code error;
    if (!fs::is_directory(root, error)) continue;
    std::vector<fs::path> directories;
    for (const auto& entry : fs::directory_iterator(root, error)) {
      // Hidden directories are skipped: tools/install_packs.py stages packs in `.install-*`.
      const bool hidden = entry.path().filename().string().starts_with(".");
      if (!hidden && entry.is_directory(error) && fs::exists(entry.path() / "pack.json", error)) {
        directories.push_back(entry.path());
      }
    }
    std::sort(directories.begin(), directories.end());
    for (const fs::path& directory : directories) {
      PackEntry pack;
      pack.path = directory.string();
      pack.name = directory.filename().string();
      const std::string manifest = (directory / "pack.json").string();
      std::ifstream in(manifest);
      const nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded() || !json.is_object()) {
        pack.error = manifest + ": not a JSON object";
      } else {
        if (json.contains("name") && json["name"].is_string()) pack.name = json["name"].get<std::string>();
        if (json.contains("head") && json["head"].is_string()) pack.head = json["head"].get<std::string>();
      }
      if (seen.insert(pack.name).second) packs.push_back(std::move(pack));
    }
  }
  return packs;
}

}  // namespace meshrt
