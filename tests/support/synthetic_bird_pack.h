// The synthetic-bird pack assembled in a test directory from the committed sources, as
// tools/install_packs.py installs it: pack.json, the template and the basis from assets/; with an
// encoder model also `models.encoder`, `solver`, `test_time_mirror` and `silhouette_fit` from encoder.json and the
// model's SHA-256.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/sha256_file.h"

namespace meshrt::test {

// Writes the pack into `packDir` (created). `model`: empty = dataset-only; otherwise the .onnx to
// install as synthetic_bird.onnx (copied unless it is already that file). `head`: "" = the
// source's. Returns "" or the reason it failed.
inline std::string assembleSyntheticBirdPack(const std::filesystem::path& packDir,
                                             const std::filesystem::path& model = {}, const std::string& head = "") {
  namespace fs = std::filesystem;
  const fs::path source = MESHRT_SOURCE_DIR;
  std::error_code error;
  fs::create_directories(packDir, error);
  for (const char* name : {"synthetic_bird.obj", "synthetic_bird_basis.npy"}) {
    fs::copy_file(source / "assets/templates" / name, packDir / name, fs::copy_options::overwrite_existing, error);
    if (error) return std::string(name) + ": " + error.message();
  }
  std::ifstream packIn(source / "assets/pack_sources/synthetic-bird/pack.json");
  nlohmann::json manifest = nlohmann::json::parse(packIn, nullptr, false);
  if (manifest.is_discarded()) return "assets/pack_sources/synthetic-bird/pack.json: not JSON";
  if (!head.empty()) manifest["head"] = head;
  if (!model.empty()) {
    const fs::path installed = packDir / "synthetic_bird.onnx";
    if (!fs::exists(installed) || !fs::equivalent(model, installed)) {
      fs::copy_file(model, installed, fs::copy_options::overwrite_existing, error);
      if (error) return model.string() + ": " + error.message();
    }
    auto hash = sha256OfFile(installed.string());
    if (!hash.ok()) return hash.error().message;
    std::ifstream encoderIn(source / "assets/pack_sources/synthetic-bird/encoder.json");
    const nlohmann::json encoder = nlohmann::json::parse(encoderIn, nullptr, false);
    if (encoder.is_discarded()) return "assets/pack_sources/synthetic-bird/encoder.json: not JSON";
    manifest["models"] = encoder["models"];
    manifest["models"]["encoder"]["sha256"] = *hash;
    manifest["solver"] = encoder["solver"];
    if (encoder.contains("test_time_mirror")) manifest["test_time_mirror"] = encoder["test_time_mirror"];
    if (encoder.contains("silhouette_fit")) manifest["silhouette_fit"] = encoder["silhouette_fit"];
  }
  std::ofstream(packDir / "pack.json") << manifest.dump(2);
  return "";
}

}  // namespace meshrt::test
