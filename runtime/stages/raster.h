// Raster stage: meshes + a batch of B views -> per-pixel triangle id, perspective-correct
// barycentrics, depth, interpolated vertex attributes and coverage (DESIGN §1).
//
//   shaders/raster_setup.comp, raster_scan.comp, raster_bin.comp, raster_tile.comp
//   shaders/include/raster_params.h      structs shared with GLSL
//   shaders/include/raster_rules.glsl    the rules in GLSL; runtime/core/raster_math.h in C++
//   runtime/stages/raster_reference.cpp  the CPU reference
//   tests/stages/raster_test.cpp         Vulkan vs reference, watertightness, cameras, batches
//
// Work distribution: each (view, triangle) is set up once and binned to the 16x16 tiles its
// bounding box touches (count, prefix sum, append); each tile is then rasterized by one
// workgroup, one invocation per pixel (per 16-pixel column on CPU devices), over that tile's
// list only. Visibility compares a per-triangle depth-order plane; only each pixel's winner is
// then interpolated (raster_math.h). Big triangles cost one
// list entry per tile, tiny ones one entry, so both scale. A batch whose buffers would exceed
// the device's maxStorageBufferRange (128 MiB on lavapipe) is processed in chunks of views.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "meshrt/result.h"
#include "raster_params.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

namespace vk {
class CommandStream;
class ComputePipeline;
class Context;
class GpuTimestamps;
}  // namespace vk

// The mesh, in host memory, object frame. Optional attributes may be empty (read as zeros).
struct RasterMesh {
  std::span<const float> positions;     // float3 per vertex
  std::span<const uint32_t> triangles;  // uint3 per triangle, counter-clockwise seen from outside
  std::span<const float> uvs;           // float2 per vertex, or empty
  std::span<const float> normals;       // float3 per vertex (object frame), or empty
  std::span<const float> extra;         // extraCount floats per vertex, or empty
  uint32_t extraCount = 0;              // 0..16
};

struct RasterConfig {
  uint32_t width = 0;   // target size in pixels, shared by every view of the batch
  uint32_t height = 0;
  bool cullBackFaces = false;  // drop triangles that are clockwise on screen
};

inline constexpr uint32_t RASTER_MAX_EXTRA = 16;
inline constexpr uint32_t RASTER_MAX_SIZE = 8192;  // width and height
inline constexpr uint32_t RASTER_MAX_VIEWS = 1024;

// Floats per pixel in RasterImage::attributes: u, v, nx, ny, nz, extra[extraCount].
inline uint32_t rasterAttributeStride(uint32_t extraCount) { return 5 + extraCount; }

// The stage's output, read back to the host. Pixel (x, y) of view b is index (b*H + y)*W + x.
struct RasterImage {
  uint32_t width = 0, height = 0, views = 0;
  uint32_t attributeStride = 5;
  std::vector<uint32_t> triangleIds;  // the covering triangle, or RASTER_NO_TRIANGLE
  // Per pixel (b1, b2, depth, coverage): perspective-correct barycentrics of vertices 1 and 2
  // of the triangle as listed in the mesh (b0 = 1 - b1 - b2); depth: perspective camera z,
  // weak perspective (R X)_z; coverage 1 or 0. All zero where uncovered.
  std::vector<float> surface;
  std::vector<float> attributes;  // attributeStride floats per pixel, perspective-correct
};

// Checks everything the GPU would trust: sizes, index ranges, finite positions and cameras.
// Errors name the field: "raster: triangles[12]: vertex index 700 >= vertex count 642".
Result<void> validateRasterInputs(const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                                  const RasterConfig& config);

// A view from a full-perspective camera: rotation R (row-major) and translation t (object -> camera).
gpu::RasterView perspectiveView(const float rotation[9], const float translation[3], float fx, float fy, float cx,
                                float cy, float nearZ = 0.01f, float farZ = 1e6f);
// A view from a weak-perspective camera: p = s * (R X)_xy + (tx, ty) in [-1, 1] over the target.
gpu::RasterView weakPerspectiveView(const float rotation[9], float scale, float tx, float ty);

// The CPU reference: the same rules, one pixel and one triangle at a time.
Result<RasterImage> rasterReference(const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                                    const RasterConfig& config);

struct RasterStageOptions {
  // Pixel rows each tile-pass invocation handles (1, 2, 4, 8, 16); 0 = automatic: 1 on GPUs,
  // 16 on CPU implementations such as lavapipe. The output does not depend on it.
  uint32_t rowsPerInvocation = 0;
};

class RasterStage {
 public:
  static Result<std::unique_ptr<RasterStage>> create(vk::Context& context, vk::GpuAllocator& allocator,
                                                     const RasterStageOptions& options = {});
  ~RasterStage();

  // Uploads the inputs, rasterizes every view, and waits. The outputs stay on the device
  // (triangleIds(), surface(), attributes()) until the next run. If the tile lists outgrow
  // their buffer, it is enlarged and the batch rasterized again (listGrowths() counts that).
  // With `timestamps`, GPU spans "raster_upload", "raster_setup", "raster_scan", "raster_bin"
  // and "raster_tile" are recorded (one set per chunk); resolve them after run() returns.
  Result<void> run(vk::CommandStream& stream, const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                   const RasterConfig& config, vk::GpuTimestamps* timestamps = nullptr);
  Result<RasterImage> download(vk::CommandStream& stream);

  const vk::Buffer& triangleIds() const { return mOutIds; }  // uint32 per pixel
  const vk::Buffer& surface() const { return mOutSurface; }  // float4 per pixel
  const vk::Buffer& attributes() const { return mOutAttributes; }
  uint32_t listEntries() const { return mListEntries; }      // tile-list entries of the last run
  uint32_t listGrowths() const { return mListGrowths; }
  uint32_t chunksInLastRun() const { return mChunks; }  // > 1 when the batch exceeded binding limits

 private:
  RasterStage(vk::Context& context, vk::GpuAllocator& allocator);
  Result<void> ensureBuffer(vk::Buffer& buffer, VkDeviceSize bytes, VkBufferUsageFlags usage, vk::MemoryUsage memory,
                            const char* name);
  // Records the four passes for views [push.viewBase, push.viewBase + push.viewCount).
  Result<void> recordChunk(vk::CommandStream& stream, const gpu::RasterPush& push, bool directOutputs,
                           uint32_t chunkIndex, vk::GpuTimestamps* timestamps);

  vk::Context& mContext;
  vk::GpuAllocator& mAllocator;
  std::unique_ptr<vk::ComputePipeline> mSetup, mScan, mBin, mTile;
  vk::Buffer mStaging, mViews, mPositions, mIndices, mVertexAttributes;
  vk::Buffer mSetupBuffer, mTileCounts, mCursors, mBlockSums, mTotals, mTotalsReadback, mList;
  vk::Buffer mOutIds, mOutSurface, mOutAttributes;
  // When the batch is split into chunks (device binding limits), each chunk writes here and
  // is copied into the mOut* buffers.
  vk::Buffer mChunkIds, mChunkSurface, mChunkAttributes;
  uint32_t mListCapacity = 0;
  uint32_t mListEntries = 0;
  uint32_t mListGrowths = 0;
  uint32_t mChunks = 0;
  RasterConfig mLastConfig;
  uint32_t mLastViews = 0;
  uint32_t mLastStride = 5;
};

}  // namespace meshrt
