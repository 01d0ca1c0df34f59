#include "reconstruct_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "frame_overlay.h"

namespace meshrt::cli {
namespace {

nlohmann::json array(const float* values, size_t count) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < count; ++i) out.push_back(values[i]);
  return out;
}

const char* cameraModelName(ObjectCameraModel model) {
  switch (model) {
    case ObjectCameraModel::Pinhole: return "pinhole";
    case ObjectCameraModel::OrthographicPixels: return "orthographic_pixels";
    case ObjectCameraModel::WeakPerspective: return "weak_perspective";
  }
  return "unknown";
}

}  // namespace

nlohmann::json objectJson(const ReconstructedObject& object, size_t index) {
  nlohmann::json keypoints = nlohmann::json::array();
  for (size_t i = 0; i + 1 < object.keypoints2d.size(); i += 2) {
    keypoints.push_back({object.keypoints2d[i], object.keypoints2d[i + 1]});
  }
  const ObjectCamera& camera = object.camera;
  nlohmann::json cameraJson = {{"model", cameraModelName(camera.model)},
                               {"R", array(camera.rotation.data(), 9)},
                               {"t", array(camera.translation.data(), 3)},
                               {"fx", camera.intrinsics.fx},
                               {"fy", camera.intrinsics.fy},
                               {"cx", camera.intrinsics.cx},
                               {"cy", camera.intrinsics.cy}};
  if (camera.model != ObjectCameraModel::Pinhole) cameraJson["scale"] = camera.scale;
  if (camera.model == ObjectCameraModel::WeakPerspective) {
    // p = s·(R X)_xy + t over the whole frame; the pinhole fields do not apply.
    cameraJson.erase("fx"), cameraJson.erase("fy"), cameraJson.erase("cx"), cameraJson.erase("cy");
    cameraJson["t"] = array(camera.translation.data(), 2);
    cameraJson["quaternion"] = array(object.deform.quaternion.data(), 4);
    cameraJson["coordinates"] = "normalized_image";
  }
  const std::string k = std::to_string(index);
  nlohmann::json json = {{"score", object.score},
                         {"detection_score", object.detectionScore},
                         {"keypoints2d", keypoints},
                         {"camera", cameraJson},
                         {"mesh", "mesh_" + k + ".obj"},
                         {"material", "mesh_" + k + ".mtl"},
                         {"texture", "texture_" + k + ".png"}};
  if (object.hasDeform) {
    const DeformResult& deform = object.deform;
    json["head"] = deform.head;
    json["coefficients"] = array(deform.coefficients.data(), deform.coefficients.size());
    if (!deform.visibility.empty()) json["visibility"] = array(deform.visibility.data(), deform.visibility.size());
    if (deform.head == "ttp") json["solver_loss"] = deform.solverLoss;
  }
  if (object.hasBox) {
    json["box3d"] = {{"center", array(object.box.center.data(), 3)},
                     {"size", array(object.box.size.data(), 3)},
                     {"R", array(object.box.rotation.data(), 9)},
                     {"translation_unit", object.box.translationUnit}};
  }
  return json;
}

Image drawOverlay(const Image& input, const std::vector<ReconstructedObject>& objects) {
  Image overlay = input;
  static constexpr uint8_t EDGE[3] = {0, 255, 64};
  static constexpr uint8_t POINT[3] = {255, 32, 32};
  static constexpr uint8_t WIRE[3] = {64, 224, 255};
  for (const ReconstructedObject& object : objects) {
    const auto& p = object.keypoints2d;
    if (object.hasBox && p.size() == 18) {
      // Corners 1..8: bits 2, 1, 0 of (index − 1) are x, y, z (epnp_box.h); an edge joins two
      // corners that differ in one bit.
      for (int a = 1; a <= 8; ++a) {
        for (int b = a + 1; b <= 8; ++b) {
          const int diff = (a - 1) ^ (b - 1);
          if (diff == 1 || diff == 2 || diff == 4) drawLine(overlay, p[2 * a], p[2 * a + 1], p[2 * b], p[2 * b + 1], EDGE);
        }
      }
      for (size_t i = 0; i < 9; ++i) drawDot(overlay, p[2 * i], p[2 * i + 1], 3, POINT);
    } else {
      const auto& triangles = object.mesh.triangles;
      const size_t points = p.size() / 2;
      for (size_t t = 0; t + 2 < triangles.size(); t += 3) {
        for (int e = 0; e < 3; ++e) {
          const uint32_t a = triangles[t + e], b = triangles[t + (e + 1) % 3];
          if (a >= points || b >= points) continue;
          drawLine(overlay, p[2 * a], p[2 * a + 1], p[2 * b], p[2 * b + 1], WIRE, 0);
        }
      }
    }
  }
  return overlay;
}

Result<StagingDirectory> StagingDirectory::create(const std::string& finalDir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::path target = fs::absolute(fs::path(finalDir), error);
  if (error) return makeError(finalDir, "cannot resolve: " + error.message());
  if (!target.has_filename()) target = target.parent_path();  // "dir/" → "dir"
  const fs::path parent = target.parent_path();
  if (!fs::is_directory(parent, error)) return makeError(finalDir, "parent directory " + parent.string() + " does not exist");
  if (fs::exists(target, error) && !fs::is_directory(target, error)) {
    return makeError(finalDir, "exists and is not a directory");
  }
  const fs::path staging = parent / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(staging, error);
  if (!fs::create_directory(staging, error)) {
    return makeError(finalDir, "cannot create a staging directory in " + parent.string() + ": " +
                                   (error ? error.message() : std::string("unknown reason")));
  }
  return StagingDirectory(staging.string(), target.string());
}

StagingDirectory::StagingDirectory(StagingDirectory&& other) noexcept
    : mPath(std::move(other.mPath)), mFinal(std::move(other.mFinal)), mCommitted(other.mCommitted) {
  other.mCommitted = true;  // the moved-from object owns nothing
}

StagingDirectory::~StagingDirectory() {
  if (mCommitted) return;
  std::error_code error;
  std::filesystem::remove_all(mPath, error);
}

Result<void> StagingDirectory::commit() {
  namespace fs = std::filesystem;
  std::error_code error;
  // An existing output directory is moved aside first, so the new one appears in one rename.
  const fs::path previous = mPath + ".previous";
  const bool replacing = fs::exists(mFinal, error);
  if (replacing) {
    fs::remove_all(previous, error);
    fs::rename(mFinal, previous, error);
    if (error) return makeError(mFinal, "cannot move the old output aside: " + error.message());
  }
  fs::rename(mPath, mFinal, error);
  if (error) {
    std::error_code ignored;
    if (replacing) fs::rename(previous, mFinal, ignored);
    return makeError(mFinal, "cannot move the output into place: " + error.message());
  }
  mCommitted = true;
  if (replacing) fs::remove_all(previous, error);
  return {};
}

}  // namespace meshrt::cli
