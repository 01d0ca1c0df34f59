// The raster stage on Vulkan: uploads, the four passes, the overflow check, readback.
#include "stages/raster.h"

#include <cstddef>
#include <cstring>
#include <string>

#include "vk/command_stream.h"
#include "vk/compute_pipeline.h"
#include "vk/context.h"
#include "vk/staging.h"

namespace meshrt {

static_assert(sizeof(gpu::RasterView) == 80, "RasterView layout changed: update shaders/include/raster_params.h");
static_assert(offsetof(gpu::RasterView, model) == 76);
static_assert(sizeof(gpu::RasterPush) == 48);
static_assert(sizeof(gpu::RasterTriangle) == 64);
static_assert(offsetof(gpu::RasterTriangle, flags) == 48);

namespace {

constexpr uint32_t SETUP_GROUP = 64;  // raster_setup.comp / raster_bin.comp local_size_x
constexpr VkBufferUsageFlags STORAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                       VK_BUFFER_USAGE_TRANSFER_SRC_BIT;

void computeToCompute(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

Result<std::unique_ptr<vk::ComputePipeline>> makePipeline(vk::Context& context, ShaderId shader, uint32_t bindings) {
  vk::ComputePipelineDesc desc;
  desc.shader = shader;
  desc.bindings.assign(bindings, vk::BindingType::StorageBuffer);
  desc.pushConstantBytes = sizeof(gpu::RasterPush);
  return vk::ComputePipeline::create(context, desc);
}

// Interleaves u, v, nx, ny, nz, extra[E] per vertex; missing attributes are zeros.
std::vector<float> packVertexAttributes(const RasterMesh& mesh, uint32_t stride) {
  const size_t vertexCount = mesh.positions.size() / 3;
  std::vector<float> packed(vertexCount * stride, 0.0f);
  for (size_t v = 0; v < vertexCount; ++v) {
    float* out = &packed[v * stride];
    if (!mesh.uvs.empty()) std::memcpy(out, &mesh.uvs[2 * v], 2 * sizeof(float));
    if (!mesh.normals.empty()) std::memcpy(out + 2, &mesh.normals[3 * v], 3 * sizeof(float));
    if (!mesh.extra.empty() && mesh.extraCount > 0) {
      std::memcpy(out + 5, &mesh.extra[v * mesh.extraCount], mesh.extraCount * sizeof(float));
    }
  }
  return packed;
}

}  // namespace

Result<std::unique_ptr<RasterStage>> RasterStage::create(vk::Context& context, vk::GpuAllocator& allocator) {
  if (!context.info().features.int64) {
    return makeError("raster", "the Vulkan device lacks shaderInt64, which the exact edge functions need");
  }
  std::unique_ptr<RasterStage> stage(new RasterStage(context, allocator));
  auto setup = makePipeline(context, ShaderId::RasterSetup, 5);
  auto scan = makePipeline(context, ShaderId::RasterScan, 3);
  auto bin = makePipeline(context, ShaderId::RasterBin, 4);
  auto tile = makePipeline(context, ShaderId::RasterTile, 9);
  if (!setup) return setup.error();
  if (!scan) return scan.error();
  if (!bin) return bin.error();
  if (!tile) return tile.error();
  stage->mSetup = std::move(setup.value());
  stage->mScan = std::move(scan.value());
  stage->mBin = std::move(bin.value());
  stage->mTile = std::move(tile.value());
  return stage;
}

RasterStage::RasterStage(vk::Context& context, vk::GpuAllocator& allocator) : mContext(context), mAllocator(allocator) {}

RasterStage::~RasterStage() = default;

Result<void> RasterStage::ensureBuffer(vk::Buffer& buffer, VkDeviceSize bytes, VkBufferUsageFlags usage,
                                       vk::MemoryUsage memory, const char* name) {
  bytes = std::max<VkDeviceSize>(bytes, 16);
  if (buffer && buffer.size() >= bytes) return {};
  buffer = vk::Buffer();
  auto created = mAllocator.createBuffer({bytes + bytes / 4, usage, memory, false, name});  // 25% headroom
  if (!created) return created.error();
  buffer = std::move(*created);
  return {};
}

Result<void> RasterStage::recordPasses(vk::CommandStream& stream, const gpu::RasterPush& base, uint32_t tileCount) {
  const VkCommandBuffer cmd = stream.current();
  vkCmdFillBuffer(cmd, mTileCounts.handle(), 0, VK_WHOLE_SIZE, 0);
  vkCmdFillBuffer(cmd, mCursors.handle(), 0, VK_WHOLE_SIZE, 0);
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  const uint32_t triangleGroups = vk::groupCount(base.triangleCount, SETUP_GROUP);

  const vk::BufferBinding setupBindings[] = {{&mViews}, {&mPositions}, {&mIndices}, {&mSetupBuffer}, {&mTileCounts}};
  MESHRT_TRY(mSetup->dispatch(stream, setupBindings, &base, sizeof(base), triangleGroups, base.viewCount));
  computeToCompute(cmd);

  const vk::BufferBinding scanBindings[] = {{&mTileCounts}, {&mBlockSums}, {&mTotals}};
  const uint32_t blocks = vk::groupCount(tileCount, RASTER_SCAN_BLOCK);
  gpu::RasterPush scan = base;
  scan.scanCount = tileCount;
  scan.scanLevel = 0;
  MESHRT_TRY(mScan->dispatch(stream, scanBindings, &scan, sizeof(scan), blocks));
  computeToCompute(cmd);
  scan.scanCount = blocks;
  scan.scanLevel = 1;
  MESHRT_TRY(mScan->dispatch(stream, scanBindings, &scan, sizeof(scan), 1));
  computeToCompute(cmd);
  scan.scanCount = tileCount;
  scan.scanLevel = 2;
  MESHRT_TRY(mScan->dispatch(stream, scanBindings, &scan, sizeof(scan), blocks));
  computeToCompute(cmd);

  const vk::BufferBinding binBindings[] = {{&mSetupBuffer}, {&mTileCounts}, {&mCursors}, {&mList}};
  MESHRT_TRY(mBin->dispatch(stream, binBindings, &base, sizeof(base), triangleGroups, base.viewCount));
  computeToCompute(cmd);

  const vk::BufferBinding tileBindings[] = {{&mSetupBuffer}, {&mList},          {&mTileCounts},
                                            {&mTotals},      {&mIndices},       {&mVertexAttributes},
                                            {&mOutIds},      {&mOutSurface},    {&mOutAttributes}};
  MESHRT_TRY(mTile->dispatch(stream, tileBindings, &base, sizeof(base), base.tilesX, base.tilesY, base.viewCount));
  vk::recordDownload(cmd, mTotals, 0, mTotalsReadback, 0, sizeof(uint32_t));
  return {};
}

Result<void> RasterStage::run(vk::CommandStream& stream, const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                              const RasterConfig& config) {
  MESHRT_TRY(validateRasterInputs(mesh, views, config));
  gpu::RasterPush push{};
  push.width = config.width;
  push.height = config.height;
  push.tilesX = (config.width + RASTER_TILE_SIZE - 1) / RASTER_TILE_SIZE;
  push.tilesY = (config.height + RASTER_TILE_SIZE - 1) / RASTER_TILE_SIZE;
  push.viewCount = static_cast<uint32_t>(views.size());
  push.triangleCount = static_cast<uint32_t>(mesh.triangles.size() / 3);
  push.extraCount = mesh.extraCount;
  push.flags = config.cullBackFaces ? RASTER_FLAG_CULL_BACK : 0u;
  push.attributeStride = rasterAttributeStride(mesh.extraCount);
  const uint32_t tileCount = push.tilesX * push.tilesY * push.viewCount;
  const size_t pixels = size_t{push.width} * push.height * push.viewCount;
  const std::vector<float> vertexAttributes = packVertexAttributes(mesh, push.attributeStride);

  const auto viewBytes = std::as_bytes(views);
  const auto positionBytes = std::as_bytes(mesh.positions);
  const auto indexBytes = std::as_bytes(mesh.triangles);
  const auto attributeBytes = std::as_bytes(std::span(vertexAttributes));
  using MU = vk::MemoryUsage;
  MESHRT_TRY(ensureBuffer(mStaging, viewBytes.size() + positionBytes.size() + indexBytes.size() + attributeBytes.size(),
                          VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MU::Upload, "raster staging"));
  MESHRT_TRY(ensureBuffer(mViews, viewBytes.size(), STORAGE, MU::DeviceLocal, "raster views"));
  MESHRT_TRY(ensureBuffer(mPositions, positionBytes.size(), STORAGE, MU::DeviceLocal, "raster positions"));
  MESHRT_TRY(ensureBuffer(mIndices, std::max<size_t>(indexBytes.size(), 12), STORAGE, MU::DeviceLocal, "raster indices"));
  MESHRT_TRY(ensureBuffer(mVertexAttributes, attributeBytes.size(), STORAGE, MU::DeviceLocal, "raster vertex attributes"));
  MESHRT_TRY(ensureBuffer(mSetupBuffer, size_t{push.triangleCount} * push.viewCount * sizeof(gpu::RasterTriangle),
                          STORAGE, MU::DeviceLocal, "raster setup"));
  MESHRT_TRY(ensureBuffer(mTileCounts, size_t{tileCount} * 4, STORAGE, MU::DeviceLocal, "raster tile offsets"));
  MESHRT_TRY(ensureBuffer(mCursors, size_t{tileCount} * 4, STORAGE, MU::DeviceLocal, "raster tile cursors"));
  MESHRT_TRY(ensureBuffer(mBlockSums, RASTER_SCAN_BLOCK * 4, STORAGE, MU::DeviceLocal, "raster block sums"));
  MESHRT_TRY(ensureBuffer(mTotals, 16, STORAGE, MU::DeviceLocal, "raster totals"));
  MESHRT_TRY(ensureBuffer(mTotalsReadback, 16, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback, "raster totals readback"));
  MESHRT_TRY(ensureBuffer(mOutIds, pixels * 4, STORAGE, MU::DeviceLocal, "raster triangle ids"));
  MESHRT_TRY(ensureBuffer(mOutSurface, pixels * 16, STORAGE, MU::DeviceLocal, "raster surface"));
  MESHRT_TRY(ensureBuffer(mOutAttributes, pixels * push.attributeStride * 4, STORAGE, MU::DeviceLocal, "raster attributes"));
  if (mListCapacity == 0) mListCapacity = std::max<uint32_t>(tileCount, push.triangleCount * push.viewCount) * 2;

  for (int attempt = 0; attempt < 2; ++attempt) {
    MESHRT_TRY(ensureBuffer(mList, size_t{mListCapacity} * 4, STORAGE, MU::DeviceLocal, "raster tile lists"));
    mListCapacity = static_cast<uint32_t>(mList.size() / 4);
    push.listCapacity = mListCapacity;
    auto cmd = stream.begin();
    if (!cmd) return cmd.error();
    VkDeviceSize offset = 0;
    for (auto [bytes, target] : {std::pair{viewBytes, &mViews}, std::pair{positionBytes, &mPositions},
                                 std::pair{indexBytes, &mIndices}, std::pair{attributeBytes, &mVertexAttributes}}) {
      MESHRT_TRY(vk::recordUpload(*cmd, mStaging, offset, bytes, *target, 0));
      offset += bytes.size();
    }
    MESHRT_TRY(recordPasses(stream, push, tileCount));
    auto value = stream.submit();
    if (!value) return value.error();
    MESHRT_TRY(stream.wait(*value));
    std::memcpy(&mListEntries, mTotalsReadback.mapped(), sizeof(uint32_t));
    if (mListEntries <= mListCapacity) break;
    if (attempt == 1) return makeError("raster", "tile lists overflowed twice (internal error)");
    mListCapacity = mListEntries + mListEntries / 2;  // grow and rasterize the batch again
    ++mListGrowths;
  }
  mLastConfig = config;
  mLastViews = push.viewCount;
  mLastStride = push.attributeStride;
  return {};
}

Result<RasterImage> RasterStage::download(vk::CommandStream& stream) {
  if (mLastViews == 0) return makeError("raster", "download() before a successful run()");
  RasterImage image;
  image.width = mLastConfig.width;
  image.height = mLastConfig.height;
  image.views = mLastViews;
  image.attributeStride = mLastStride;
  const size_t pixels = size_t{image.width} * image.height * image.views;
  auto ids = vk::downloadNow(stream, mAllocator, mOutIds, 0, pixels * 4);
  auto surface = vk::downloadNow(stream, mAllocator, mOutSurface, 0, pixels * 16);
  auto attributes = vk::downloadNow(stream, mAllocator, mOutAttributes, 0, pixels * image.attributeStride * 4);
  if (!ids) return ids.error();
  if (!surface) return surface.error();
  if (!attributes) return attributes.error();
  image.triangleIds.resize(pixels);
  image.surface.resize(pixels * 4);
  image.attributes.resize(pixels * image.attributeStride);
  std::memcpy(image.triangleIds.data(), ids->data(), ids->size());
  std::memcpy(image.surface.data(), surface->data(), surface->size());
  std::memcpy(image.attributes.data(), attributes->data(), attributes->size());
  return image;
}

}  // namespace meshrt
