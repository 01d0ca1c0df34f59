// The two heads behind createObjectPipeline() (object_pipeline.h), and what they share.
#pragma once

#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/pack.h"
#include "core/textured_mesh.h"
#include "heads/object_pipeline.h"

namespace meshrt {

Result<std::unique_ptr<ObjectPipeline>> createObjectronPipeline(const PackSpec& pack, const ObjectPipelineOptions& options);
Result<std::unique_ptr<ObjectPipeline>> createFacePipeline(const PackSpec& pack, const ObjectPipelineOptions& options);

// Reads and checks the pack's template OBJ (positions, one UV per vertex, triangles).
Result<TexturedMesh> loadPackTemplate(const PackSpec& pack);

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// Adds the milliseconds since `start` to the stage `name` in `timings` (first use appends) and
// restarts `start`.
inline void addTiming(std::vector<std::pair<std::string, double>>& timings, const std::string& name,
                      std::chrono::steady_clock::time_point& start) {
  const auto now = std::chrono::steady_clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  for (auto& [stage, value] : timings) {
    if (stage == name) {
      value += ms;
      return;
    }
  }
  timings.emplace_back(name, ms);
}

}  // namespace meshrt
