// What `meshrt reconstruct` writes (DESIGN §7): result.json (schema docs/schemas/result.schema.json),
// mesh_K.obj/.mtl, texture_K.png and overlay.png, into a staging directory next to the output
// directory that is moved into place only when everything was written.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/image.h"
#include "heads/object_pipeline.h"
#include "meshrt/result.h"

namespace meshrt::cli {

// The `objects[K]` entry of result.json (file names relative to the output directory).
nlohmann::json objectJson(const ReconstructedObject& object, size_t index);

// The input with the reconstruction drawn over it: box edges and the 9 keypoints, or the face
// mesh's wireframe (triangle edges between the landmarks).
Image drawOverlay(const Image& input, const std::vector<ReconstructedObject>& objects);

// A directory `<parent>/.<name>.tmp-<pid>` next to `finalDir`, removed on destruction unless
// commit() moved it to `finalDir` (replacing what was there).
class StagingDirectory {
 public:
  static Result<StagingDirectory> create(const std::string& finalDir);
  StagingDirectory(StagingDirectory&& other) noexcept;
  StagingDirectory& operator=(StagingDirectory&&) = delete;
  ~StagingDirectory();

  const std::string& path() const { return mPath; }
  Result<void> commit();

 private:
  StagingDirectory(std::string path, std::string finalDir) : mPath(std::move(path)), mFinal(std::move(finalDir)) {}
  std::string mPath, mFinal;
  bool mCommitted = false;
};

}  // namespace meshrt::cli
