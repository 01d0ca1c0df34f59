// The UV splat stage on Vulkan: uploads, the insert and gather passes (forward), the per-texel
// backward pass with fixed-point atomics, and readback (in place on unified memory).
#include "stages/uv_splat.h"

#include <cmath>
#include <cstddef>
#include <cstring>
#include <numeric>
#include <string>

#include "core/output_vector.h"
#include "core/uv_splat_math.h"
#include "vk/command_stream.h"
#include "vk/compute_pipeline.h"
#include "vk/context.h"
#include "vk/gpu_timestamps.h"
#include "vk/staging.h"

namespace meshrt {

static_assert(sizeof(gpu::UvSplatPush) == 68, "UvSplatPush layout changed: update shaders/include/uv_splat_params.h");
static_assert(offsetof(gpu::UvSplatPush, maxQuadExtent) == 24);
static_assert(offsetof(gpu::UvSplatPush, channelBase) == 48);
static_assert(offsetof(gpu::UvSplatPush, insertTilesX) == 52);

namespace {

constexpr uint32_t GROUP_SIDE = 8;  // uv_splat_*.comp local size: 8 x 8
constexpr uint32_t BACKWARD_BINDINGS = 13;  // uv_splat_backward.comp
constexpr VkBufferUsageFlags STORAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                                       VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT;

void computeToCompute(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

// Earlier submissions' shader and transfer work on the stage's buffers must finish before this
// one rewrites them (the host waited, but the device timeline needs its own dependency).
void afterEarlierWork(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                        VK_ACCESS_TRANSFER_WRITE_BIT);
}

// Shader writes of the outputs must be visible to the host once the submission's fence signals.
void computeToHost(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_HOST_BIT,
                    VK_ACCESS_HOST_READ_BIT);
}

// The insert pass's wide-quad list feeds the indirect dispatch of its second pass.
void computeToIndirect(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                    VK_ACCESS_INDIRECT_COMMAND_READ_BIT | VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

void transferToCompute(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

// `bindings` storage buffers, except those listed in `texels` (binding, type).
Result<std::unique_ptr<vk::ComputePipeline>> makePipeline(
    vk::Context& context, ShaderId shader, uint32_t bindings,
    std::initializer_list<std::pair<uint32_t, vk::BindingType>> texels = {},
    std::vector<uint32_t> specializationConstants = {}) {
  vk::ComputePipelineDesc desc;
  desc.shader = shader;
  desc.specializationConstants = std::move(specializationConstants);
  desc.bindings.assign(bindings, vk::BindingType::StorageBuffer);
  for (const auto& [binding, type] : texels) desc.bindings[binding] = type;
  desc.pushConstantBytes = sizeof(gpu::UvSplatPush);
  return vk::ComputePipeline::create(context, desc);
}

// Channels per gather dispatch: the texture chunk bound to one dispatch must fit one storage
// binding, and chunk offsets must respect minStorageBufferOffsetAlignment and
// minTexelBufferOffsetAlignment (the backward reads chunks as texel buffers). With
// `groupsOfFour` (interleaved features: a chunk starts at a features group), a multiple of 4
// unless one chunk takes every channel. 0 = impossible.
uint32_t channelsPerChunk(const vk::Context& context, const UvSplatConfig& config, bool groupsOfFour = false) {
  const uint64_t bytesPerChannel = uint64_t{config.textureWidth} * config.textureHeight * 4;
  const uint64_t maxRange = context.info().maxStorageBufferRange;
  uint64_t chunk = std::min<uint64_t>(config.channels, maxRange / bytesPerChannel);
  if (chunk >= config.channels) return config.channels;
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(context.physicalDevice(), &properties);
  const uint64_t alignment = std::max<uint64_t>(
      {properties.limits.minStorageBufferOffsetAlignment, properties.limits.minTexelBufferOffsetAlignment, 1});
  uint64_t step = alignment / std::gcd(alignment, bytesPerChannel);
  if (groupsOfFour) step = std::lcm<uint64_t>(step, 4);
  return static_cast<uint32_t>(chunk / step * step);
}

// Tiles of UV_SPLAT_INSERT_TILE texels that cover the candidate box of any used quad along an
// axis of `size` texels: the box spans at most maxQuadExtent * size + 1 texels (+1 for rounding).
uint32_t candidateSpan(float maxQuadExtent, uint32_t size) {
  return static_cast<uint32_t>(std::min<double>(size, std::ceil(double(maxQuadExtent) * size) + 2.0));
}

uint32_t insertTiles(float maxQuadExtent, uint32_t size) {
  return (candidateSpan(maxQuadExtent, size) + UV_SPLAT_INSERT_TILE - 1) / UV_SPLAT_INSERT_TILE;
}

// floor(sqrt(UV_SPLAT_INSERT_BUDGET / (1 + L))): the widest candidate box side one CPU-device
// insert invocation takes (uv_splat_params.h).
uint32_t insertMaxSide(uint32_t lutCapacity) {
  const uint32_t area = UV_SPLAT_INSERT_BUDGET / (1 + lutCapacity);
  uint32_t side = 0;
  while ((side + 1) * (side + 1) <= area) ++side;
  return side;
}

// values.size() int64 fixed-point numbers at `data` -> floats.
void fromFixedPoint(const void* data, std::vector<float>& values) {
  const auto* bytes = static_cast<const std::byte*>(data);
  for (size_t i = 0; i < values.size(); ++i) {
    int64_t fixed;
    std::memcpy(&fixed, bytes + i * 8, 8);
    values[i] = uvsplat::fromFixedPoint(fixed);
  }
}

// Planar [C][N] -> interleaved [ceil(C / 4)][N][4] (zero-padded), N pixels or texels: the layout
// the gather and backward read with one RGBA32F fetch per 4 channels.
void interleaveChannels(std::span<const float> planar, uint32_t channels, size_t pixels, float* out) {
  static const float zero = 0.0f;
  for (uint32_t c0 = 0; c0 < channels; c0 += 4) {
    float* group = out + size_t{c0 / 4} * pixels * 4;
    // The group's four planes; channels past C read zeros (stride 0).
    const float* plane[4];
    size_t stride[4];
    for (uint32_t j = 0; j < 4; ++j) {
      const bool present = c0 + j < channels;
      plane[j] = present ? planar.data() + size_t{c0 + j} * pixels : &zero;
      stride[j] = present ? 1 : 0;
    }
    for (size_t p = 0; p < pixels; ++p) {
      group[4 * p + 0] = plane[0][p * stride[0]];
      group[4 * p + 1] = plane[1][p * stride[1]];
      group[4 * p + 2] = plane[2][p * stride[2]];
      group[4 * p + 3] = plane[3][p * stride[3]];
    }
  }
}

std::string mebibytes(uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

}  // namespace

Result<std::unique_ptr<UvSplatStage>> UvSplatStage::create(vk::Context& context, vk::GpuAllocator& allocator) {
  if (!context.info().features.int64 || !context.info().features.int64Atomics) {
    return makeError("uv_splat", "the Vulkan device lacks shaderInt64 / 64-bit buffer atomics, which the backward pass needs");
  }
  std::unique_ptr<UvSplatStage> stage(new UvSplatStage(context, allocator));
  std::unique_ptr<vk::ComputePipeline> inserts[3];  // by mode: UV_SPLAT_INSERT_ALL, _DEFER_WIDE, _LISTED
  for (uint32_t mode = 0; mode < 3; ++mode) {
    auto insert = makePipeline(context, ShaderId::UvSplatInsert, 5, {}, {mode});
    if (!insert) return insert.error();
    inserts[mode] = std::move(insert.value());
  }
  using BT = vk::BindingType;
  // Per features layout (0 planar, 1 interleaved): the gather with batches of 4 and of 1 entry, the backward.
  std::unique_ptr<vk::ComputePipeline> gathers[2][2], backwards[2];
  for (uint32_t interleaved = 0; interleaved < 2; ++interleaved) {
    const BT features = interleaved ? BT::Float4Texels : BT::FloatTexels;
    for (uint32_t single = 0; single < 2; ++single) {
      auto gather = makePipeline(context, ShaderId::UvSplatGather, 6, {{2, features}},
                                 {single ? 1u : UV_SPLAT_GATHER_BATCH, interleaved});
      if (!gather) return gather.error();
      gathers[interleaved][single] = std::move(gather.value());
    }
    auto backward = makePipeline(context, ShaderId::UvSplatBackward, BACKWARD_BINDINGS,
                                 {{2, features}, {5, BT::FloatTexels}, {6, BT::FloatTexels}, {7, BT::FloatTexels},
                                  {8, BT::FloatTexels}},
                                 {interleaved, 0u});
    if (!backward) return backward.error();
    backwards[interleaved] = std::move(backward.value());
  }
  // The recording texel pass reads the upstream gradient interleaved in binding 5 (6-8 unused).
  auto backwardRecords = makePipeline(context, ShaderId::UvSplatBackward, BACKWARD_BINDINGS,
                                      {{2, BT::Float4Texels}, {5, BT::Float4Texels}, {6, BT::FloatTexels},
                                       {7, BT::FloatTexels}, {8, BT::FloatTexels}},
                                      {1u, 1u});
  if (!backwardRecords) return backwardRecords.error();
  std::unique_ptr<vk::ComputePipeline> backwardQuads[2];  // by mode: UV_SPLAT_QUAD_BACKWARD_NARROW, _LISTED
  for (uint32_t mode = 0; mode < 2; ++mode) {
    auto backwardQuad =
        makePipeline(context, ShaderId::UvSplatBackwardQuad, 9, {{2, BT::FloatTexels}, {5, BT::FloatTexels}}, {mode});
    if (!backwardQuad) return backwardQuad.error();
    backwardQuads[mode] = std::move(backwardQuad.value());
  }
  auto featureGradGather =
      makePipeline(context, ShaderId::UvSplatFeatureGrad, 5, {{1, BT::Uint2Texels}, {2, BT::Float4Texels}});
  if (!featureGradGather) return featureGradGather.error();
  auto sample = makePipeline(context, ShaderId::UvSplatSample, 4);
  if (!sample) return sample.error();
  for (uint32_t mode = 0; mode < 3; ++mode) stage->mInsert[mode] = std::move(inserts[mode]);
  for (int layout = 0; layout < 2; ++layout) {
    stage->mGather[layout] = std::move(gathers[layout][0]);
    stage->mGatherSingle[layout] = std::move(gathers[layout][1]);
    stage->mBackward[layout] = std::move(backwards[layout]);
  }
  stage->mBackwardRecords = std::move(backwardRecords.value());
  stage->mFeatureGradGather = std::move(featureGradGather.value());
  for (uint32_t mode = 0; mode < 2; ++mode) stage->mBackwardQuad[mode] = std::move(backwardQuads[mode]);
  stage->mUnified = allocator.supports(vk::MemoryUsage::DeviceMapped);
  // Lavapipe: a fetch costs about the same at any width (a vec4 1.3x a float, docs/PERF.md), so
  // host features of UV_SPLAT_INTERLEAVE_MIN_CHANNELS or more go to the device four channels per
  // texel. GPUs keep the planar layout.
  stage->mCpuDevice = context.info().type == "cpu";
  stage->mInterleaveHostFeatures = stage->mUnified && stage->mCpuDevice;
  stage->mSample = std::move(sample.value());
  return stage;
}

UvSplatStage::UvSplatStage(vk::Context& context, vk::GpuAllocator& allocator) : mContext(context), mAllocator(allocator) {}

UvSplatStage::~UvSplatStage() = default;

Result<void> UvSplatStage::ensureBuffer(vk::Buffer& buffer, VkDeviceSize bytes, VkBufferUsageFlags usage,
                                        vk::MemoryUsage memory, const char* name) {
  bytes = std::max<VkDeviceSize>(bytes, 16);
  if (buffer && buffer.size() >= bytes) return {};
  buffer = vk::Buffer();
  auto created = mAllocator.createBuffer({bytes, usage, memory, false, name});
  if (!created) return created.error();
  buffer = std::move(*created);
  return {};
}

Result<void> UvSplatStage::writeInput(VkCommandBuffer cmd, const vk::Buffer& staging, VkDeviceSize stagingOffset,
                                      std::span<const std::byte> bytes, const vk::Buffer& dst) {
  if (!mUnified) return vk::recordUpload(cmd, staging, stagingOffset, bytes, dst, 0);
  if (bytes.size() > dst.size()) return makeError("uv_splat", "input exceeds its device buffer");
  if (!bytes.empty()) std::memcpy(dst.mapped(), bytes.data(), bytes.size());
  return {};
}

Result<void> UvSplatStage::prepareHostFeatures(const UvSplatConfig& config, VkDeviceSize planarBytes) {
  mHaveForward = false;  // mFeatures may be replaced: the last forward can no longer be differentiated
  using MU = vk::MemoryUsage;
  mFeaturesInterleaved = mInterleaveHostFeatures && config.channels >= UV_SPLAT_INTERLEAVE_MIN_CHANNELS &&
                         channelsPerChunk(mContext, config, true) != 0;
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  const VkDeviceSize bytes = mFeaturesInterleaved ? (config.channels + 3) / 4 * pixels * 16 : planarBytes;
  if (!mUnified) {
    MESHRT_TRY(ensureBuffer(mStaging, planarBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MU::Upload, "uv_splat staging"));
  }
  return ensureBuffer(mFeatures, bytes, STORAGE, sharedMemory(), "uv_splat features");
}

Result<void> UvSplatStage::writeFeatures(VkCommandBuffer cmd, const UvSplatConfig& config, std::span<const float> planar) {
  if (!mFeaturesInterleaved) return writeInput(cmd, mStaging, 0, std::as_bytes(planar), mFeatures);
  // Interleaved only on unified memory: written in place.
  interleaveChannels(planar, config.channels, size_t{config.imageWidth} * config.imageHeight,
                     static_cast<float*>(mFeatures.mapped()));
  return {};
}

bool UvSplatStage::defersWideQuads(const UvSplatConfig& config) const {
  return mCpuDevice && std::max(candidateSpan(config.maxQuadExtent, config.textureWidth),
                                candidateSpan(config.maxQuadExtent, config.textureHeight)) >
                           insertMaxSide(config.lutCapacity);
}

bool UvSplatStage::backwardPerQuad(const UvSplatConfig& config) const {
  return mCpuDevice && !mFeaturesInterleaved && config.channels <= UV_SPLAT_QUAD_BACKWARD_MAX_CHANNELS &&
         channelsPerChunk(mContext, config) >= config.channels;
}

bool UvSplatStage::gathersFeatureGrad(const UvSplatConfig& config) const {
  if (!mFeaturesInterleaved) return false;  // interleaved features: CPU devices, unified memory
  VkPhysicalDeviceProperties properties;
  vkGetPhysicalDeviceProperties(mContext.physicalDevice(), &properties);
  const uint64_t maxTexels = properties.limits.maxTexelBufferElements;
  const uint64_t maxRange = mContext.info().maxStorageBufferRange;
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  const uint64_t texels = uint64_t{config.textureWidth} * config.textureHeight;
  const uint64_t records = uint64_t{config.imageWidth - 1} * (config.imageHeight - 1) * UV_SPLAT_QUAD_RECORDS * 4;
  const uint64_t groups = (config.channels + 3) / 4;
  return records <= maxTexels && records * 8 <= maxRange && groups * texels <= maxTexels &&
         pixels * config.channels * 4 <= maxRange;
}

Result<void> UvSplatStage::checkBindingLimits(const UvSplatConfig& config) const {
  const uint64_t maxRange = mContext.info().maxStorageBufferRange;
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  const uint64_t texels = uint64_t{config.textureWidth} * config.textureHeight;
  const struct {
    const char* field;
    uint64_t bytes;
  } bindings[] = {{"features", pixels * config.channels * 4}, {"lut", texels * config.lutCapacity * 4},
                  {"uvs", pixels * 2 * 4}};
  for (const auto& binding : bindings) {
    if (binding.bytes > maxRange) {
      return makeError(std::string("uv_splat: ") + binding.field, "needs a " + mebibytes(binding.bytes) +
                                                                      " binding; this device binds at most " +
                                                                      mebibytes(maxRange));
    }
  }
  const uint64_t tiles = uint64_t{insertTiles(config.maxQuadExtent, config.textureWidth)} *
                         insertTiles(config.maxQuadExtent, config.textureHeight);
  if (tiles > 65535) {
    return makeError("uv_splat: config.maxQuadExtent", "quads this large on this texture need more than 65535 insert tiles");
  }
  if (channelsPerChunk(mContext, config) == 0) {
    return makeError("uv_splat: config.textureWidth/textureHeight", "one texture channel exceeds a storage binding");
  }
  return {};
}

gpu::UvSplatPush UvSplatStage::makePush(const UvSplatConfig& config, const UvSplatDeviceInputs& inputs) const {
  gpu::UvSplatPush push{};
  push.insertTilesX = insertTiles(config.maxQuadExtent, config.textureWidth);
  push.insertTiles = push.insertTilesX * insertTiles(config.maxQuadExtent, config.textureHeight);
  push.insertMaxSide = insertMaxSide(config.lutCapacity);
  push.imageWidth = config.imageWidth;
  push.imageHeight = config.imageHeight;
  push.channels = config.channels;
  push.textureWidth = config.textureWidth;
  push.textureHeight = config.textureHeight;
  push.lutCapacity = config.lutCapacity;
  push.maxQuadExtent = config.maxQuadExtent;
  push.uvStride = inputs.uvStride;
  push.uvOffset = inputs.uvOffset;
  push.firstPixel = inputs.firstPixel;
  return push;
}

Result<void> UvSplatStage::recordForward(vk::CommandStream& stream, const gpu::UvSplatPush& base,
                                         const UvSplatDeviceInputs& inputs, vk::GpuTimestamps* timestamps) {
  const VkCommandBuffer cmd = stream.current();
  const bool deferWide = defersWideQuads(mLastConfig);
  int span = timestamps ? timestamps->beginSpan(cmd, "uv_splat_fill") : -1;
  vkCmdFillBuffer(cmd, mLut.handle(), 0, VK_WHOLE_SIZE, UV_SPLAT_NO_QUAD);
  vkCmdFillBuffer(cmd, mDropped.handle(), 0, VK_WHOLE_SIZE, 0);
  if (deferWide) {
    const uint32_t wideListHeader[UV_SPLAT_WIDE_LIST_HEADER] = {0, 1, base.insertTiles, 0};  // no groups yet; count 0
    vkCmdUpdateBuffer(cmd, mWideList.handle(), 0, sizeof(wideListHeader), wideListHeader);
  }
  // The gather writes only texels some quad reaches; the rest keep these zeros.
  const VkDeviceSize texelBytes = VkDeviceSize{base.textureWidth} * base.textureHeight * 4;
  vkCmdFillBuffer(cmd, mTexture.handle(), 0, texelBytes * mLastConfig.channels, 0);
  vkCmdFillBuffer(cmd, mWeight.handle(), 0, texelBytes, 0);
  transferToCompute(cmd);
  if (deferWide) {  // the wide list's dispatch arguments
    vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                      VK_PIPELINE_STAGE_DRAW_INDIRECT_BIT, VK_ACCESS_INDIRECT_COMMAND_READ_BIT);
  }
  if (timestamps) timestamps->endSpan(cmd, span);
  span = timestamps ? timestamps->beginSpan(cmd, "uv_splat_insert") : -1;
  const vk::BufferBinding insertBindings[] = {{inputs.uvs}, {inputs.pixelIds}, {&mLut}, {&mDropped}, {&mWideList}};
  const uint32_t quadGroupsX = vk::groupCount(base.imageWidth - 1, GROUP_SIDE);
  const uint32_t quadGroupsY = vk::groupCount(base.imageHeight - 1, GROUP_SIDE);
  if (!mCpuDevice) {
    // GPUs: an invocation per (quad, tile); no loop cap to respect.
    MESHRT_TRY(mInsert[UV_SPLAT_INSERT_ALL]->dispatch(stream, insertBindings, &base, sizeof(base), quadGroupsX, quadGroupsY,
                                                      base.insertTiles));
  } else if (!deferWide) {
    // CPU devices, no quad can exceed one invocation's loop budget: an invocation per quad.
    MESHRT_TRY(mInsert[UV_SPLAT_INSERT_ALL]->dispatch(stream, insertBindings, &base, sizeof(base), quadGroupsX, quadGroupsY, 1));
  } else {
    // CPU devices: an invocation per quad over all its tiles; quads too wide for one invocation
    // go to the wide list, whose tiles the indirect second dispatch takes one per invocation.
    MESHRT_TRY(mInsert[UV_SPLAT_INSERT_DEFER_WIDE]->dispatch(stream, insertBindings, &base, sizeof(base), quadGroupsX,
                                                             quadGroupsY, 1));
    computeToIndirect(cmd);
    MESHRT_TRY(mInsert[UV_SPLAT_INSERT_LISTED]->dispatchIndirect(stream, insertBindings, &base, sizeof(base), mWideList, 0));
  }
  if (timestamps) timestamps->endSpan(cmd, span);
  computeToCompute(cmd);
  span = timestamps ? timestamps->beginSpan(cmd, "uv_splat_gather") : -1;
  const uint32_t chunk = channelsPerChunk(mContext, mLastConfig, mFeaturesInterleaved);
  const VkDeviceSize bytesPerChannel = VkDeviceSize{base.textureWidth} * base.textureHeight * 4;
  const int layout = mFeaturesInterleaved ? 1 : 0;
  for (uint32_t first = 0; first < mLastConfig.channels; first += chunk) {
    gpu::UvSplatPush push = base;
    push.channelBase = first;
    push.channels = std::min(chunk, mLastConfig.channels - first);
    const vk::BufferBinding gatherBindings[] = {
        {inputs.uvs}, {inputs.pixelIds}, {inputs.features}, {&mLut},
        {&mTexture, first * bytesPerChannel, push.channels * bytesPerChannel}, {&mWeight}};
    // Batches of entries pay off from a few channels up (measured on lavapipe: C = 3 slower, 16 and 128 faster).
    vk::ComputePipeline& gather =
        mLastConfig.channels >= UV_SPLAT_GATHER_BATCH_MIN_CHANNELS ? *mGather[layout] : *mGatherSingle[layout];
    MESHRT_TRY(gather.dispatch(stream, gatherBindings, &push, sizeof(push), vk::groupCount(base.textureWidth, GROUP_SIDE),
                                 vk::groupCount(base.textureHeight, GROUP_SIDE)));
  }
  if (timestamps) timestamps->endSpan(cmd, span);
  vk::recordDownload(cmd, mDropped, 0, mDroppedReadback, 0, sizeof(uint32_t));
  if (mUnified) {  // downloadForward() reads the mapped outputs in place
    computeToHost(cmd);
    return {};
  }
  // The outputs go to host-visible copies in this submission (downloadForward() needs no other).
  const VkDeviceSize texels = VkDeviceSize{base.textureWidth} * base.textureHeight;
  vk::recordDownload(cmd, mTexture, 0, mTextureReadback, 0, texels * mLastConfig.channels * 4);
  vk::recordDownload(cmd, mWeight, 0, mWeightReadback, 0, texels * 4);
  if (mLastConfig.returnLookupTable) vk::recordDownload(cmd, mLut, 0, mLutReadback, 0, texels * mLastConfig.lutCapacity * 4);
  return {};
}

Result<void> UvSplatStage::run(vk::CommandStream& stream, const UvSplatConfig& config,
                               const UvSplatDeviceInputs& inputs, vk::GpuTimestamps* timestamps) {
  MESHRT_TRY(validateUvSplatConfig(config));
  MESHRT_TRY(checkBindingLimits(config));
  const bool hostFeatures = inputs.features == nullptr && !inputs.hostFeatures.empty();
  if ((!hostFeatures && (!inputs.features || !*inputs.features)) || !inputs.uvs || !inputs.pixelIds || !*inputs.uvs ||
      !*inputs.pixelIds) {
    return makeError("uv_splat: inputs", "features (or hostFeatures), uvs and pixelIds buffers are required");
  }
  if (inputs.uvStride < 2 || inputs.uvOffset + 2 > inputs.uvStride) {
    return makeError("uv_splat: inputs.uvStride/uvOffset", "need uvOffset + 2 <= uvStride");
  }
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  const uint64_t lastPixel = inputs.firstPixel + pixels;
  if (hostFeatures && inputs.hostFeatures.size() != pixels * config.channels) {
    return makeError("uv_splat: inputs.hostFeatures", std::to_string(inputs.hostFeatures.size()) +
                                                         " floats, expected C*H*W = " + std::to_string(pixels * config.channels));
  }
  if (!hostFeatures && inputs.features->size() < pixels * config.channels * 4) return makeError("uv_splat: inputs.features", "buffer too small for C*H*W floats");
  if (inputs.uvs->size() < lastPixel * inputs.uvStride * 4) return makeError("uv_splat: inputs.uvs", "buffer too small for the UV records");
  if (inputs.pixelIds->size() < lastPixel * 4) return makeError("uv_splat: inputs.pixelIds", "buffer too small for H*W ids");
  if (!hostFeatures) {
    mFeaturesInterleaved = false;
    return execute(stream, config, inputs, timestamps, {});
  }
  // Host features: uploaded through the stage's staging buffer in the same submission.
  MESHRT_TRY(prepareHostFeatures(config, inputs.hostFeatures.size() * 4));
  UvSplatDeviceInputs withFeatures = inputs;
  withFeatures.features = &mFeatures;
  withFeatures.hostFeatures = {};
  auto upload = [&](VkCommandBuffer cmd) { return writeFeatures(cmd, config, inputs.hostFeatures); };
  return execute(stream, config, withFeatures, timestamps, upload);
}

Result<void> UvSplatStage::execute(vk::CommandStream& stream, const UvSplatConfig& config,
                                   const UvSplatDeviceInputs& inputs, vk::GpuTimestamps* timestamps,
                                   const std::function<Result<void>(VkCommandBuffer)>& upload) {
  using MU = vk::MemoryUsage;
  const uint64_t texels = uint64_t{config.textureWidth} * config.textureHeight;
  MESHRT_TRY(ensureBuffer(mLut, texels * config.lutCapacity * 4, STORAGE, sharedMemory(), "uv_splat lut"));
  MESHRT_TRY(ensureBuffer(mTexture, texels * config.channels * 4, STORAGE, sharedMemory(), "uv_splat texture"));
  MESHRT_TRY(ensureBuffer(mWeight, texels * 4, STORAGE, sharedMemory(), "uv_splat weight"));
  MESHRT_TRY(ensureBuffer(mDropped, 4, STORAGE, MU::DeviceLocal, "uv_splat dropped"));
  // The insert pass binds the wide list in every mode; only the deferring one needs room for keys.
  const uint64_t quads = defersWideQuads(config) ? uint64_t{config.imageWidth - 1} * (config.imageHeight - 1) : 0;
  MESHRT_TRY(ensureBuffer(mWideList, (UV_SPLAT_WIDE_LIST_HEADER + quads) * 4, STORAGE | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT,
                          MU::DeviceLocal, "uv_splat wide quads"));
  MESHRT_TRY(ensureBuffer(mDroppedReadback, 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback, "uv_splat dropped readback"));
  if (!mUnified) {
    MESHRT_TRY(ensureBuffer(mTextureReadback, texels * config.channels * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback,
                            "uv_splat texture readback"));
    MESHRT_TRY(ensureBuffer(mWeightReadback, texels * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback,
                            "uv_splat weight readback"));
  }
  if (config.returnLookupTable && !mUnified) {
    MESHRT_TRY(ensureBuffer(mLutReadback, texels * config.lutCapacity * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback,
                            "uv_splat lut readback"));
  }
  mHaveForward = false;
  mLastConfig = config;
  mLastInputs = inputs;
  auto cmd = stream.begin();
  if (!cmd) return cmd.error();
  if (timestamps) timestamps->reset(*cmd);
  afterEarlierWork(*cmd);
  if (upload) {
    const int span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_upload") : -1;
    MESHRT_TRY(upload(*cmd));
    if (timestamps) timestamps->endSpan(*cmd, span);
  }
  MESHRT_TRY(recordForward(stream, makePush(config, inputs), inputs, timestamps));
  auto value = stream.submit();
  if (!value) return value.error();
  MESHRT_TRY(stream.wait(*value));
  mLastDropped = *static_cast<const uint32_t*>(mDroppedReadback.mapped());
  mHaveForward = true;
  return {};
}

Result<UvSplatForward> UvSplatStage::forward(vk::CommandStream& stream, const UvSplatConfig& config,
                                             const UvSplatInputs& inputs, vk::GpuTimestamps* timestamps) {
  UvSplatForward out;
  MESHRT_TRY(forward(stream, config, inputs, out, timestamps));
  return out;
}

Result<void> UvSplatStage::forward(vk::CommandStream& stream, const UvSplatConfig& config, const UvSplatInputs& inputs,
                                   UvSplatForward& out, vk::GpuTimestamps* timestamps) {
  MESHRT_TRY(validateUvSplatInputs(config, inputs));
  MESHRT_TRY(checkBindingLimits(config));
  using MU = vk::MemoryUsage;
  const size_t pixels = size_t{config.imageWidth} * config.imageHeight;
  std::vector<uint32_t> pixelIds(pixels);
  for (size_t p = 0; p < pixels; ++p) pixelIds[p] = inputs.mask[p] ? 0u : UV_SPLAT_OFF_OBJECT;
  const auto featureBytes = std::as_bytes(inputs.features);
  const auto uvBytes = std::as_bytes(inputs.uvs);
  const auto idBytes = std::as_bytes(std::span<const uint32_t>(pixelIds));
  if (!mUnified) {
    MESHRT_TRY(ensureBuffer(mStaging, featureBytes.size() + uvBytes.size() + idBytes.size(),
                            VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MU::Upload, "uv_splat staging"));
  }
  MESHRT_TRY(prepareHostFeatures(config, featureBytes.size()));
  MESHRT_TRY(ensureBuffer(mUvs, uvBytes.size(), STORAGE, sharedMemory(), "uv_splat uvs"));
  MESHRT_TRY(ensureBuffer(mPixelIds, idBytes.size(), STORAGE, sharedMemory(), "uv_splat pixel ids"));
  const UvSplatDeviceInputs deviceInputs{&mFeatures, &mUvs, 2, 0, &mPixelIds, 0};
  auto upload = [&](VkCommandBuffer cmd) -> Result<void> {
    MESHRT_TRY(writeFeatures(cmd, config, inputs.features));
    MESHRT_TRY(writeInput(cmd, mStaging, featureBytes.size(), uvBytes, mUvs));
    return writeInput(cmd, mStaging, featureBytes.size() + uvBytes.size(), idBytes, mPixelIds);
  };
  MESHRT_TRY(execute(stream, config, deviceInputs, timestamps, upload));
  return downloadForward(stream, out);
}

Result<UvSplatForward> UvSplatStage::downloadForward(vk::CommandStream& stream) {
  UvSplatForward out;
  MESHRT_TRY(downloadForward(stream, out));
  return out;
}

Result<void> UvSplatStage::downloadForward(vk::CommandStream& /*stream*/, UvSplatForward& out) {
  if (!mHaveForward) return makeError("uv_splat", "downloadForward() before a successful forward()/run()");
  const UvSplatConfig& config = mLastConfig;
  const size_t texels = size_t{config.textureWidth} * config.textureHeight;
  resizeOutput(out.texture, texels * config.channels);
  resizeOutput(out.weight, texels);
  std::memcpy(out.texture.data(), hostView(mTexture, mTextureReadback), out.texture.size() * 4);
  std::memcpy(out.weight.data(), hostView(mWeight, mWeightReadback), out.weight.size() * 4);
  if (config.returnLookupTable) {
    resizeOutput(out.lut, texels * config.lutCapacity);
    std::memcpy(out.lut.data(), hostView(mLut, mLutReadback), out.lut.size() * 4);
  } else {
    out.lut.clear();
  }
  out.droppedEntries = mLastDropped;
  return {};
}

Result<UvSplatGradients> UvSplatStage::backward(vk::CommandStream& stream, std::span<const float> textureGrad,
                                                vk::GpuTimestamps* timestamps) {
  UvSplatGradients grads;
  MESHRT_TRY(backward(stream, textureGrad, grads, timestamps));
  return grads;
}

Result<void> UvSplatStage::backward(vk::CommandStream& stream, std::span<const float> textureGrad,
                                    UvSplatGradients& grads, vk::GpuTimestamps* timestamps) {
  if (!mHaveForward) return makeError("uv_splat", "backward() before a successful forward()/run()");
  const UvSplatConfig& config = mLastConfig;
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  const uint64_t texels = uint64_t{config.textureWidth} * config.textureHeight;
  if (textureGrad.size() != texels * config.channels) {
    return makeError("uv_splat: textureGrad", std::to_string(textureGrad.size()) + " floats, expected C*Ht*Wt = " +
                                                  std::to_string(texels * config.channels));
  }
  const uint64_t textureBytes = texels * config.channels * 4;
  // The upstream gradient is read through up to UV_SPLAT_BACKWARD_BINDINGS bindings (the forward
  // texture is not read: its term cancels from the UV gradient, docs/UV_SPLAT.md).
  const uint32_t bindingChannels = channelsPerChunk(mContext, config);
  const uint32_t bindingsNeeded = (config.channels + bindingChannels - 1) / bindingChannels;
  if (bindingsNeeded > UV_SPLAT_BACKWARD_BINDINGS) {
    return makeError("uv_splat: backward", "the upstream gradient (" + mebibytes(textureBytes) + ") needs " +
                                               std::to_string(bindingsNeeded) + " storage bindings on this device; at most " +
                                               std::to_string(UV_SPLAT_BACKWARD_BINDINGS) + " are supported");
  }
  using MU = vk::MemoryUsage;
  if (!mUnified) {
    MESHRT_TRY(ensureBuffer(mGradStaging, textureBytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MU::Upload, "uv_splat grad staging"));
  }
  // Feature gradient gathered per pixel (CPU devices, interleaved features): the upstream gradient
  // goes to the device interleaved too, [ceil(C/4)][Ht][Wt][4].
  const bool gather = gathersFeatureGrad(config);
  const uint64_t groups = (config.channels + 3) / 4;
  const uint64_t quads = uint64_t{config.imageWidth - 1} * (config.imageHeight - 1);
  MESHRT_TRY(ensureBuffer(mTextureGrad, gather ? groups * texels * 16 : textureBytes, STORAGE, sharedMemory(),
                          "uv_splat texture grad"));
  // Bound in every mode (the texel pass declares them); sized only where they are used.
  MESHRT_TRY(ensureBuffer(mQuadRecordCount, gather ? quads * 4 : 4, STORAGE, MU::DeviceLocal, "uv_splat quad record count"));
  MESHRT_TRY(ensureBuffer(mQuadRecords, gather ? quads * UV_SPLAT_QUAD_RECORDS * 4 * 8 : 8, STORAGE, MU::DeviceLocal,
                          "uv_splat quad records"));
  if (gather) {
    MESHRT_TRY(ensureBuffer(mFeatureGradOut, pixels * config.channels * 4, STORAGE, sharedMemory(),
                            "uv_splat feature grad (float)"));
  }
  const uint64_t featureGradBytes = pixels * config.channels * 8;  // int64 fixed point
  if (featureGradBytes > mContext.info().maxStorageBufferRange) {
    return makeError("uv_splat: backward", "the feature gradient (" + mebibytes(featureGradBytes) +
                                               ", 64-bit fixed point) exceeds one storage binding on this device");
  }
  const uint64_t uvGradBytes = pixels * 2 * 8;
  MESHRT_TRY(ensureBuffer(mFeatureGrad, featureGradBytes, STORAGE, sharedMemory(), "uv_splat feature grad"));
  MESHRT_TRY(ensureBuffer(mUvGrad, uvGradBytes, STORAGE, sharedMemory(), "uv_splat uv grad"));
  if (!mUnified) {
    MESHRT_TRY(ensureBuffer(mFeatureGradReadback, featureGradBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback,
                            "uv_splat feature grad readback"));
    MESHRT_TRY(ensureBuffer(mUvGradReadback, uvGradBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback,
                            "uv_splat uv grad readback"));
  }
  auto cmd = stream.begin();
  if (!cmd) return cmd.error();
  if (timestamps) timestamps->reset(*cmd);
  afterEarlierWork(*cmd);
  int span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_grad_upload") : -1;
  if (gather) {  // unified memory: written in place
    interleaveChannels(textureGrad, config.channels, texels, static_cast<float*>(mTextureGrad.mapped()));
    vkCmdFillBuffer(*cmd, mQuadRecordCount.handle(), 0, quads * 4, 0);
  } else {
    MESHRT_TRY(writeInput(*cmd, mGradStaging, 0, std::as_bytes(textureGrad), mTextureGrad));
  }
  vkCmdFillBuffer(*cmd, mFeatureGrad.handle(), 0, featureGradBytes, 0);
  vkCmdFillBuffer(*cmd, mUvGrad.handle(), 0, uvGradBytes, 0);
  transferToCompute(*cmd);
  if (timestamps) timestamps->endSpan(*cmd, span);
  span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_backward") : -1;
  gpu::UvSplatPush push = makePush(config, mLastInputs);
  push.bindingChannels = bindingChannels;
  const VkDeviceSize bytesPerChannel = texels * 4;
  auto channelRange = [&](const vk::Buffer& buffer, uint32_t binding) {
    // Bindings past the last used one repeat binding 0 (never read).
    const uint32_t first = binding < bindingsNeeded ? binding * bindingChannels : 0;
    const uint32_t count = std::min(bindingChannels, config.channels - first);
    return vk::BufferBinding{&buffer, first * bytesPerChannel, count * bytesPerChannel};
  };
  const vk::BufferBinding onePlane{&mTextureGrad, 0, bytesPerChannel};  // gather mode: bindings 6-8 (unused)
  const vk::BufferBinding bindings[] = {
      {mLastInputs.uvs},  {mLastInputs.pixelIds}, {mLastInputs.features}, {&mLut}, {&mWeight},
      gather ? vk::BufferBinding{&mTextureGrad} : channelRange(mTextureGrad, 0),
      gather ? onePlane : channelRange(mTextureGrad, 1), gather ? onePlane : channelRange(mTextureGrad, 2),
      gather ? onePlane : channelRange(mTextureGrad, 3), {&mFeatureGrad}, {&mUvGrad}, {&mQuadRecordCount},
      {&mQuadRecords}};
  if (backwardPerQuad(config)) {
    // Per quad: the quads that fit one invocation, then the forward's wide list, tile by tile.
    const vk::BufferBinding quadBindings[] = {
        {mLastInputs.uvs}, {mLastInputs.pixelIds}, {mLastInputs.features}, {&mLut}, {&mWeight},
        channelRange(mTextureGrad, 0), {&mFeatureGrad}, {&mUvGrad}, {&mWideList}};
    MESHRT_TRY(mBackwardQuad[UV_SPLAT_QUAD_BACKWARD_NARROW]->dispatch(
        stream, quadBindings, &push, sizeof(push), vk::groupCount(config.imageWidth - 1, GROUP_SIDE),
        vk::groupCount(config.imageHeight - 1, GROUP_SIDE)));
    if (defersWideQuads(config)) {
      computeToIndirect(*cmd);  // orders the two passes' atomics; the list's arguments came from the forward
      MESHRT_TRY(mBackwardQuad[UV_SPLAT_QUAD_BACKWARD_LISTED]->dispatchIndirect(stream, quadBindings, &push,
                                                                                sizeof(push), mWideList, 0));
    }
  } else {
    vk::ComputePipeline& backwardPass = gather ? *mBackwardRecords : *mBackward[mFeaturesInterleaved ? 1 : 0];
    MESHRT_TRY(backwardPass.dispatch(stream, bindings, &push, sizeof(push),
                                     vk::groupCount(config.textureWidth, GROUP_SIDE),
                                     vk::groupCount(config.textureHeight, GROUP_SIDE)));
  }
  if (gather) {
    computeToCompute(*cmd);
    // A span of its own, so the bench's GPU spans show the two passes apart.
    if (timestamps) timestamps->endSpan(*cmd, span);
    span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_feature_grad") : -1;
    const vk::BufferBinding gatherBindings[] = {
        {&mQuadRecordCount}, {&mQuadRecords}, {&mTextureGrad}, {&mFeatureGrad}, {&mFeatureGradOut}};
    MESHRT_TRY(mFeatureGradGather->dispatch(stream, gatherBindings, &push, sizeof(push),
                                            vk::groupCount(config.imageWidth, GROUP_SIDE),
                                            vk::groupCount(config.imageHeight, GROUP_SIDE)));
  }
  if (timestamps) timestamps->endSpan(*cmd, span);
  if (mUnified) {  // read in place below
    computeToHost(*cmd);
  } else {
    vk::recordDownload(*cmd, mFeatureGrad, 0, mFeatureGradReadback, 0, featureGradBytes);
    vk::recordDownload(*cmd, mUvGrad, 0, mUvGradReadback, 0, uvGradBytes);
  }
  auto value = stream.submit();
  if (!value) return value.error();
  MESHRT_TRY(stream.wait(*value));
  resizeOutput(grads.features, pixels * config.channels);
  resizeOutput(grads.uvs, pixels * 2);
  if (gather) {
    std::memcpy(grads.features.data(), mFeatureGradOut.mapped(), grads.features.size() * 4);
  } else {
    fromFixedPoint(hostView(mFeatureGrad, mFeatureGradReadback), grads.features);
  }
  fromFixedPoint(hostView(mUvGrad, mUvGradReadback), grads.uvs);
  return {};
}

Result<std::vector<float>> UvSplatStage::sample(vk::CommandStream& stream, const UvSplatConfig& config,
                                                std::span<const float> texture, std::span<const float> uvs,
                                                std::span<const uint8_t> mask, vk::GpuTimestamps* timestamps) {
  MESHRT_TRY(validateUvSplatConfig(config));
  const size_t pixels = size_t{config.imageWidth} * config.imageHeight;
  const size_t texels = size_t{config.textureWidth} * config.textureHeight;
  if (texture.size() != texels * config.channels) return makeError("uv_splat: sample: texture", "expected C*Ht*Wt floats");
  if (uvs.size() != pixels * 2) return makeError("uv_splat: sample: uvs", "expected H*W*2 floats");
  if (mask.size() != pixels) return makeError("uv_splat: sample: mask", "expected H*W bytes");
  const uint64_t maxRange = mContext.info().maxStorageBufferRange;
  if (uint64_t{texels} * config.channels * 4 > maxRange || uint64_t{pixels} * config.channels * 4 > maxRange) {
    return makeError("uv_splat: sample", "texture or image exceeds one storage binding on this device");
  }
  std::vector<uint32_t> pixelIds(pixels);
  for (size_t p = 0; p < pixels; ++p) {
    if (mask[p] && (!std::isfinite(uvs[2 * p]) || !std::isfinite(uvs[2 * p + 1]))) {
      return makeError("uv_splat: sample: uvs[(" + std::to_string(p / config.imageWidth) + ", " +
                           std::to_string(p % config.imageWidth) + ")]",
                       "not finite on a masked pixel");
    }
    pixelIds[p] = mask[p] ? 0u : UV_SPLAT_OFF_OBJECT;
  }
  using MU = vk::MemoryUsage;
  const auto textureBytes = std::as_bytes(texture);
  const auto uvBytes = std::as_bytes(uvs);
  const auto idBytes = std::as_bytes(std::span<const uint32_t>(pixelIds));
  MESHRT_TRY(ensureBuffer(mSampleStaging, textureBytes.size() + uvBytes.size() + idBytes.size(),
                          VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MU::Upload, "uv_splat sample staging"));
  MESHRT_TRY(ensureBuffer(mSampleTexture, textureBytes.size(), STORAGE, MU::DeviceLocal, "uv_splat sample texture"));
  MESHRT_TRY(ensureBuffer(mSampleUvs, uvBytes.size(), STORAGE, MU::DeviceLocal, "uv_splat sample uvs"));
  MESHRT_TRY(ensureBuffer(mSampleIds, idBytes.size(), STORAGE, MU::DeviceLocal, "uv_splat sample ids"));
  MESHRT_TRY(ensureBuffer(mSampleImage, pixels * config.channels * 4, STORAGE, MU::DeviceLocal, "uv_splat sample image"));
  auto cmd = stream.begin();
  if (!cmd) return cmd.error();
  if (timestamps) timestamps->reset(*cmd);
  afterEarlierWork(*cmd);
  int span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_sample_upload") : -1;
  MESHRT_TRY(vk::recordUpload(*cmd, mSampleStaging, 0, textureBytes, mSampleTexture, 0));
  MESHRT_TRY(vk::recordUpload(*cmd, mSampleStaging, textureBytes.size(), uvBytes, mSampleUvs, 0));
  MESHRT_TRY(vk::recordUpload(*cmd, mSampleStaging, textureBytes.size() + uvBytes.size(), idBytes, mSampleIds, 0));
  if (timestamps) timestamps->endSpan(*cmd, span);
  span = timestamps ? timestamps->beginSpan(*cmd, "uv_splat_sample") : -1;
  const gpu::UvSplatPush push = makePush(config, {nullptr, &mSampleUvs, 2, 0, &mSampleIds, 0});
  const vk::BufferBinding bindings[] = {{&mSampleUvs}, {&mSampleIds}, {&mSampleTexture}, {&mSampleImage}};
  MESHRT_TRY(mSample->dispatch(stream, bindings, &push, sizeof(push), vk::groupCount(config.imageWidth, GROUP_SIDE),
                               vk::groupCount(config.imageHeight, GROUP_SIDE)));
  if (timestamps) timestamps->endSpan(*cmd, span);
  auto value = stream.submit();
  if (!value) return value.error();
  MESHRT_TRY(stream.wait(*value));
  auto image = vk::downloadNow(stream, mAllocator, mSampleImage, 0, pixels * config.channels * 4);
  if (!image) return image.error();
  std::vector<float> out(pixels * config.channels);
  std::memcpy(out.data(), image->data(), image->size());
  return out;
}

}  // namespace meshrt
