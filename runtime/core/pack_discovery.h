// Finding installed packs (DESIGN §6): directories that hold a pack.json.
#pragma once

#include <string>
#include <vector>

namespace meshrt {

struct PackEntry {
  std::string name;   // pack.json "name" (the directory name if absent)
  std::string head;   // pack.json "head" ("" if absent)
  std::string path;   // the pack directory
  std::string error;  // why pack.json could not be read; empty when it could
};

// Where packs are looked for, in order: each entry of $MESHRT_PACK_PATH (':'-separated), then
// $MESHRT_CACHE/packs, else $XDG_CACHE_HOME/meshrt/packs, else ~/.cache/meshrt/packs (where
// tools/install_packs.py installs them), then `bundledDir` if not empty.
std::vector<std::string> packSearchPath(const std::string& bundledDir);

// Every immediate, non-hidden subdirectory of the search path that holds a pack.json, in path order;
// directories that do not exist are skipped. A pack name found twice keeps its first entry.
std::vector<PackEntry> discoverPacks(const std::vector<std::string>& searchPath);

}  // namespace meshrt
