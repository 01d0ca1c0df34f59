// UV splat stage (paper 000, A.1): image features + rasterized UVs -> a texture in the mesh's
// UV space (eq. 1 with averaging), its backward pass (eqs. 2-3), temporal fusion and
// texture sampling (DESIGN §1 "splat+fuse").
//
//   shaders/uv_splat_insert.comp, uv_splat_gather.comp   forward: lookup table, then a per-texel gather
//   shaders/uv_splat_backward.comp                       backward: per texel, 64-bit fixed-point integer
//                                                        atomics (order-independent: no float atomics)
//   shaders/uv_splat_fuse.comp, uv_splat_sample.comp     fusion over frames, sampling for rendering
//   shaders/include/uv_splat_params.h, uv_splat_math.glsl  GLSL side; runtime/core/uv_splat_math.h in C++
//   runtime/stages/uv_splat_reference.cpp                the CPU reference
//   tests/stages/uv_splat_test.cpp, uv_splat_reference_test.cpp
//
// Layouts (all row-major, fp32 unless noted):
//   features [C][H][W]; uvs [H][W][2] (u, v in [0,1]^2, origin top left, v down); mask [H][W] uint8.
//   texture [C][Ht][Wt]; weight [Ht][Wt]; lut [Ht][Wt][L] uint32.
// Forward outputs are gathers over fixed lists in a fixed order, backward sums are 64-bit
// fixed-point integers (order-independent): runs are bit-identical, and the CPU reference
// computes the same values (docs/ARCHITECTURE.md, "UV splat stage").
// On unified memory (lavapipe, integrated GPUs) the stage's host inputs and outputs live in
// mapped device memory: an upload or a readback is one memcpy, with no staging copy.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "meshrt/result.h"
#include "uv_splat_params.h"
#include "vk/gpu_allocator.h"

namespace meshrt {

namespace vk {
class CommandStream;
class ComputePipeline;
class Context;
class GpuTimestamps;
}  // namespace vk

struct UvSplatConfig {
  uint32_t imageWidth = 0, imageHeight = 0;      // W, H of F, U, mask
  uint32_t channels = 0;                         // C, 1..128
  uint32_t textureWidth = 0, textureHeight = 0;  // Wt, Ht
  float maxQuadExtent = 0.2f;                    // UV units
  uint32_t lutCapacity = 10;                     // quads kept per texel, 1..32
  // false: forward()/downloadForward() leave UvSplatForward::lut empty and the lookup table is
  // not read back (a forward-only caller such as the live texturing saves a
  // Ht*Wt*lutCapacity*4-byte copy). The table stays on the device for backward() either way.
  bool returnLookupTable = true;
};

struct UvSplatInputs {
  std::span<const float> features;  // [C][H][W]
  std::span<const float> uvs;       // [H][W][2]
  std::span<const uint8_t> mask;    // [H][W], 1 = on the object
};

struct UvSplatForward {
  std::vector<float> texture;   // [C][Ht][Wt], 0 where invisible
  std::vector<float> weight;    // [Ht][Wt], w-hat (0 = invisible)
  std::vector<uint32_t> lut;    // [Ht][Wt][lutCapacity] quad indices ascending, UV_SPLAT_NO_QUAD padded
  uint64_t droppedEntries = 0;  // (texel, quad) pairs past lutCapacity
};

struct UvSplatGradients {
  std::vector<float> features;  // [C][H][W]
  std::vector<float> uvs;       // [H][W][2]
};

// Sizes and limits of the config alone (C, texture size, lutCapacity, maxQuadExtent).
Result<void> validateUvSplatConfig(const UvSplatConfig& config);

// Sizes, C = 0, non-finite UVs on masked pixels, limits. The message names the field:
// "uv_splat: uvs[(3, 7)]: not finite on a masked pixel".
Result<void> validateUvSplatInputs(const UvSplatConfig& config, const UvSplatInputs& inputs);

// The CPU reference, float32, operation for operation what the shaders compute. The backward
// sums contributions in 64-bit fixed point (UV_SPLAT_GRAD_SCALE = 2^24 per unit, each
// contribution rounded to 2^-24 and clamped to +-2^26), exactly as the shader does.
Result<UvSplatForward> uvSplatForwardReference(const UvSplatConfig& config, const UvSplatInputs& inputs);
Result<UvSplatGradients> uvSplatBackwardReference(const UvSplatConfig& config, const UvSplatInputs& inputs,
                                                  const UvSplatForward& forward,
                                                  std::span<const float> textureGrad /*[C][Ht][Wt]*/);

// The same forward in double precision (no validation; inputs as for the reference). For
// finite-difference tests of the backward pass.
struct UvSplatForwardDouble {
  std::vector<double> texture;  // [C][Ht][Wt]
  std::vector<double> weight;   // [Ht][Wt]
  std::vector<uint32_t> lut;    // [Ht][Wt][L]
};
UvSplatForwardDouble uvSplatForwardDouble(const UvSplatConfig& config, std::span<const double> features,
                                          std::span<const double> uvs, std::span<const uint8_t> mask);

// Temporal fusion state of one tracked object: T [C][Ht][Wt] and confidence A [Ht][Wt].
struct UvSplatFusionState {
  std::vector<float> texture;     // [C][Ht][Wt]
  std::vector<float> confidence;  // [Ht][Wt], in [0, maxConfidence]
};

// One fusion step, in place: where frameConfidence > 0, T <- (A T + k F) / (A + k) and
// A <- min(A + k, maxConfidence). `frameTexture` [C][Ht][Wt], `frameConfidence` [Ht][Wt]
// (0 where invisible). With `reset`, T and A are zeroed first.
Result<void> uvSplatFuseReference(UvSplatFusionState& state, uint32_t channels, uint32_t textureWidth,
                                  uint32_t textureHeight, std::span<const float> frameTexture,
                                  std::span<const float> frameConfidence, float maxConfidence, bool reset);

// Bilinear sampling of `texture` [C][Ht][Wt] at the UVs of masked pixels (texel centres at
// ((i + 0.5) / Wt, (j + 0.5) / Ht), clamp to edge) -> [C][H][W], 0 where the mask is 0.
// Uses config's image, channel and texture sizes.
Result<std::vector<float>> uvSplatSampleReference(const UvSplatConfig& config, std::span<const float> texture,
                                                  std::span<const float> uvs, std::span<const uint8_t> mask);

// Inputs already on the device, e.g. the raster stage's outputs (no host round trip).
struct UvSplatDeviceInputs {
  // fp32 [C][H][W], offset 0; created with VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT besides
  // storage usage (the gather and the backward read it as a texel buffer).
  const vk::Buffer* features = nullptr;
  // UVs: fp32; u of pixel (x, y) at float index (firstPixel + y * W + x) * uvStride + uvOffset, v next.
  // RasterStage::attributes(): uvStride = 5 + extraCount, uvOffset = 0.
  const vk::Buffer* uvs = nullptr;
  uint32_t uvStride = 2;
  uint32_t uvOffset = 0;
  // Pixel ids: uint32 at index firstPixel + y * W + x; UV_SPLAT_OFF_OBJECT (0xffffffff, which is
  // RASTER_NO_TRIANGLE) = off the object. RasterStage::triangleIds() fits as is.
  const vk::Buffer* pixelIds = nullptr;
  uint32_t firstPixel = 0;  // view b of a raster batch: b * H * W
  // Used when `features` is null: fp32 [C][H][W] on the host, uploaded in the same submission
  // as the passes (into a stage-owned buffer that grows only).
  std::span<const float> hostFeatures;
};

class UvSplatStage {
 public:
  static Result<std::unique_ptr<UvSplatStage>> create(vk::Context& context, vk::GpuAllocator& allocator);
  ~UvSplatStage();

  // Uploads the inputs, runs the forward passes, waits and reads the outputs back. The device
  // keeps the inputs and outputs for backward(). With `timestamps`, GPU spans "uv_splat_upload",
  // "uv_splat_insert" and "uv_splat_gather" are recorded; resolve them after it returns.
  Result<UvSplatForward> forward(vk::CommandStream& stream, const UvSplatConfig& config, const UvSplatInputs& inputs,
                                 vk::GpuTimestamps* timestamps = nullptr);
  // The same into `out`, whose vectors are resized in place: a caller that keeps `out` across
  // frames allocates (and page-faults) its outputs once, not every call.
  Result<void> forward(vk::CommandStream& stream, const UvSplatConfig& config, const UvSplatInputs& inputs,
                       UvSplatForward& out, vk::GpuTimestamps* timestamps = nullptr);
  // The forward passes on device inputs, waited on; outputs stay in texture(), weight(), lut().
  // The caller guarantees the buffers hold finite UVs on pixels that are on the object.
  // The same submission copies texture and weight (and the lookup table when
  // config.returnLookupTable) to host-visible buffers, so downloadForward() only copies memory
  // (on unified memory the outputs are mapped device memory and no copy is recorded).
  Result<void> run(vk::CommandStream& stream, const UvSplatConfig& config, const UvSplatDeviceInputs& inputs,
                   vk::GpuTimestamps* timestamps = nullptr);
  Result<UvSplatForward> downloadForward(vk::CommandStream& stream);
  Result<void> downloadForward(vk::CommandStream& stream, UvSplatForward& out);  // reuses out's vectors

  // Backward of the last forward()/run(): uploads textureGrad [C][Ht][Wt], runs the per-texel
  // pass (sums in 64-bit fixed point, UV_SPLAT_GRAD_SCALE = 2^24), waits and reads back. On CPU
  // devices the pass is per quad for planar features of C <= 4, and the feature gradient a
  // per-pixel gather for interleaved ones (docs/UV_SPLAT.md); the results are the same bits.
  // Reads the upstream gradient through up to 4 bindings (all of C = 128 at 1024^2 on
  // lavapipe); beyond that it returns an error saying so. The forward texture is not read: its
  // term cancels from the UV gradient (docs/UV_SPLAT.md "Backward").
  // GPU spans "uv_splat_grad_upload", "uv_splat_backward".
  Result<UvSplatGradients> backward(vk::CommandStream& stream, std::span<const float> textureGrad,
                                    vk::GpuTimestamps* timestamps = nullptr);
  Result<void> backward(vk::CommandStream& stream, std::span<const float> textureGrad, UvSplatGradients& out,
                        vk::GpuTimestamps* timestamps = nullptr);  // reuses out's vectors

  // Bilinear sampling of `texture` [C][Ht][Wt] at the UVs of masked pixels -> [C][H][W], 0 off
  // the object (what uvSplatSampleReference computes), for rendering. Uses config's sizes and
  // channels. GPU spans "uv_splat_sample_upload", "uv_splat_sample".
  Result<std::vector<float>> sample(vk::CommandStream& stream, const UvSplatConfig& config, std::span<const float> texture,
                                    std::span<const float> uvs, std::span<const uint8_t> mask,
                                    vk::GpuTimestamps* timestamps = nullptr);

  bool hasForward() const { return mHaveForward; }
  const UvSplatConfig& lastConfig() const { return mLastConfig; }
  const vk::Buffer& texture() const { return mTexture; }  // fp32 [C][Ht][Wt]
  const vk::Buffer& weight() const { return mWeight; }    // fp32 [Ht][Wt]
  const vk::Buffer& lut() const { return mLut; }          // uint32 [Ht][Wt][L]

 private:
  UvSplatStage(vk::Context& context, vk::GpuAllocator& allocator);
  Result<void> ensureBuffer(vk::Buffer& buffer, VkDeviceSize bytes, VkBufferUsageFlags usage, vk::MemoryUsage memory,
                            const char* name);
  Result<void> checkBindingLimits(const UvSplatConfig& config) const;
  // Whether the insert pass runs in two dispatches (wide quads deferred, uv_splat_params.h): on
  // CPU devices, where the extent threshold admits a candidate box side over insertMaxSide.
  bool defersWideQuads(const UvSplatConfig& config) const;
  // Whether backward() gathers the feature gradient per pixel (interleaved features, and the
  // records, the interleaved gradient and the float result each fit one binding).
  bool gathersFeatureGrad(const UvSplatConfig& config) const;
  // The backward runs per quad (uv_splat_backward_quad.comp): CPU devices, planar features of at
  // most UV_SPLAT_QUAD_BACKWARD_MAX_CHANNELS channels, the upstream gradient in one binding.
  bool backwardPerQuad(const UvSplatConfig& config) const;
  // Chooses the layout for host features of `config` (mFeaturesInterleaved) and sizes mFeatures
  // (and mStaging, off unified memory) for them; `planarBytes` = C * H * W * 4.
  Result<void> prepareHostFeatures(const UvSplatConfig& config, VkDeviceSize planarBytes);
  // Host features [C][H][W] into mFeatures in the chosen layout (staged copy recorded in `cmd`
  // when planar off unified memory).
  Result<void> writeFeatures(VkCommandBuffer cmd, const UvSplatConfig& config, std::span<const float> planar);
  gpu::UvSplatPush makePush(const UvSplatConfig& config, const UvSplatDeviceInputs& inputs) const;
  // Memory of the buffers the host writes or reads: DeviceMapped on unified memory, else DeviceLocal.
  vk::MemoryUsage sharedMemory() const { return mUnified ? vk::MemoryUsage::DeviceMapped : vk::MemoryUsage::DeviceLocal; }
  // Where the host reads an output: the device buffer itself on unified memory (the submission
  // ended with a barrier to the host), else its readback copy.
  const void* hostView(const vk::Buffer& device, const vk::Buffer& readback) const {
    return (mUnified ? device : readback).mapped();
  }
  // Host bytes into `dst` (from offset 0): a memcpy into the mapping on unified memory, else
  // through `staging` at `stagingOffset` and a copy recorded in `cmd`.
  Result<void> writeInput(VkCommandBuffer cmd, const vk::Buffer& staging, VkDeviceSize stagingOffset,
                          std::span<const std::byte> bytes, const vk::Buffer& dst);
  Result<void> recordForward(vk::CommandStream& stream, const gpu::UvSplatPush& push, const UvSplatDeviceInputs& inputs,
                             vk::GpuTimestamps* timestamps);
  // Records `upload` (if any) and the forward passes in one submission, and waits.
  Result<void> execute(vk::CommandStream& stream, const UvSplatConfig& config, const UvSplatDeviceInputs& inputs,
                       vk::GpuTimestamps* timestamps, const std::function<Result<void>(VkCommandBuffer)>& upload);

  vk::Context& mContext;
  vk::GpuAllocator& mAllocator;
  std::unique_ptr<vk::ComputePipeline> mInsert[3], mSample;  // mInsert by mode (UV_SPLAT_INSERT_*)
  // [0]: planar features [C][H][W]; [1]: interleaved [ceil(C / 4)][H][W][4] (uv_splat_gather.comp).
  std::unique_ptr<vk::ComputePipeline> mGather[2], mGatherSingle[2], mBackward[2];
  // CPU devices, interleaved features: the texel pass that records entries per quad, and the
  // per-pixel gather of the feature gradient (uv_splat_feature_grad.comp).
  std::unique_ptr<vk::ComputePipeline> mBackwardRecords, mFeatureGradGather;
  // CPU devices, planar features, C <= UV_SPLAT_QUAD_BACKWARD_MAX_CHANNELS: the per-quad backward
  // (uv_splat_backward_quad.comp) by mode (UV_SPLAT_QUAD_BACKWARD_*).
  std::unique_ptr<vk::ComputePipeline> mBackwardQuad[2];
  bool mUnified = false;    // GpuAllocator::supports(DeviceMapped)
  bool mCpuDevice = false;  // Context::info().type == "cpu" (lavapipe): its loop cap shapes the insert pass
  bool mInterleaveHostFeatures = false;  // host features of >= UV_SPLAT_INTERLEAVE_MIN_CHANNELS go to mFeatures
                                         // interleaved (CPU devices, unified memory)
  bool mFeaturesInterleaved = false;     // the last forward's features are interleaved (mFeatures) or planar
  vk::Buffer mStaging, mFeatures, mUvs, mPixelIds;           // host-input copies
  vk::Buffer mLut, mTexture, mWeight, mDropped, mDroppedReadback;
  vk::Buffer mWideList;  // insert pass on CPU devices: dispatch arguments, count, deferred quad keys
  vk::Buffer mTextureReadback, mWeightReadback, mLutReadback;  // filled by every forward submission
  vk::Buffer mSampleStaging, mSampleTexture, mSampleUvs, mSampleIds, mSampleImage;
  vk::Buffer mGradStaging, mTextureGrad, mFeatureGrad, mUvGrad, mFeatureGradReadback, mUvGradReadback;
  // The feature-gradient gather: entries per quad, records, the float result [C][H][W].
  vk::Buffer mQuadRecordCount, mQuadRecords, mFeatureGradOut;
  UvSplatConfig mLastConfig;
  UvSplatDeviceInputs mLastInputs;  // backward() reads these buffers again: keep them alive and unchanged
  uint64_t mLastDropped = 0;
  bool mHaveForward = false;
};

}  // namespace meshrt
