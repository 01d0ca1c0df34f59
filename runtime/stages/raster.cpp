// The raster stage on Vulkan: uploads, the four passes, the overflow check, readback.
#include "stages/raster.h"

#include <cstddef>
#include <algorithm>
#include <cstring>
#include <string>

#include "vk/command_stream.h"
#include "vk/compute_pipeline.h"
#include "vk/context.h"
#include "vk/gpu_timestamps.h"
#include "vk/staging.h"

namespace meshrt {

static_assert(sizeof(gpu::RasterView) == 80, "RasterView layout changed: update shaders/include/raster_params.h");
static_assert(offsetof(gpu::RasterView, model) == 76);  // raster_setup.comp loadView() reads
static_assert(offsetof(gpu::RasterView, fx) == 48 && offsetof(gpu::RasterView, nearZ) == 64);
static_assert(sizeof(gpu::RasterPush) == 52);
static_assert(sizeof(gpu::RasterTriangle) == 80);
static_assert(offsetof(gpu::RasterTriangle, keyOrigin) == 48);
static_assert(offsetof(gpu::RasterTriangle, flags) == 60);  // raster_tile.comp loadTriangle() reads
static_assert(offsetof(gpu::RasterTriangle, invW) == 24 && offsetof(gpu::RasterTriangle, depthOverW) == 36);
static_assert(offsetof(gpu::RasterTriangle, tileMin) == 64 && offsetof(gpu::RasterTriangle, tileMax) == 68);  // raster_bin.comp

namespace {

constexpr uint32_t SETUP_GROUP = 64;  // raster_setup.comp / raster_bin.comp local_size_x
constexpr VkBufferUsageFlags STORAGE = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                       VK_BUFFER_USAGE_TRANSFER_SRC_BIT;

void computeToCompute(VkCommandBuffer cmd) {
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
}

Result<std::unique_ptr<vk::ComputePipeline>> makePipeline(vk::Context& context, ShaderId shader, uint32_t bindings,
                                                          std::vector<uint32_t> specialization = {}) {
  vk::ComputePipelineDesc desc;
  desc.shader = shader;
  desc.bindings.assign(bindings, vk::BindingType::StorageBuffer);
  desc.pushConstantBytes = sizeof(gpu::RasterPush);
  desc.specializationConstants = std::move(specialization);
  return vk::ComputePipeline::create(context, desc);
}

// Pixel rows per tile-pass invocation (raster_tile.comp ROWS): one per invocation on GPUs;
// CPU implementations (lavapipe) pay ~55 ns per invocation whatever it does, so they get
// fewer, longer ones (measured on lavapipe at 256^2: 33.5 ms with 1 row, 13.4 ms with 16).
uint32_t tileRowsPerInvocation(const vk::Context& context, uint32_t requested) {
  if (requested != 0) return requested;
  return context.info().type == "cpu" ? 16u : 1u;
}

// Interleaves u, v, nx, ny, nz, extra[E] per vertex, each vertex zero-padded to a multiple of 4
// floats (raster_tile.comp reads them as vec4s); missing attributes are zeros.
std::vector<float> packVertexAttributes(const RasterMesh& mesh, uint32_t stride) {
  const size_t vertexCount = mesh.positions.size() / 3;
  const size_t paddedStride = (stride + 3) / 4 * 4;
  std::vector<float> packed(vertexCount * paddedStride, 0.0f);
  for (size_t v = 0; v < vertexCount; ++v) {
    float* out = &packed[v * paddedStride];
    if (!mesh.uvs.empty()) std::memcpy(out, &mesh.uvs[2 * v], 2 * sizeof(float));
    if (!mesh.normals.empty()) std::memcpy(out + 2, &mesh.normals[3 * v], 3 * sizeof(float));
    if (!mesh.extra.empty() && mesh.extraCount > 0) {
      std::memcpy(out + 5, &mesh.extra[v * mesh.extraCount], mesh.extraCount * sizeof(float));
    }
  }
  return packed;
}

// Positions as (x, y, z, 0) per vertex: raster_setup.comp reads each as one vec4.
std::vector<float> packPositions(std::span<const float> positions) {
  const size_t count = positions.size() / 3;
  std::vector<float> packed(count * 4, 0.0f);
  for (size_t v = 0; v < count; ++v) std::memcpy(&packed[4 * v], &positions[3 * v], 3 * sizeof(float));
  return packed;
}

// The mesh's triangles as (i0, i1, i2, 0) per triangle: the shaders read each as one uvec4.
std::vector<uint32_t> packTriangles(std::span<const uint32_t> triangles) {
  const size_t count = triangles.size() / 3;
  std::vector<uint32_t> packed(count * 4, 0u);
  for (size_t t = 0; t < count; ++t) std::memcpy(&packed[4 * t], &triangles[3 * t], 3 * sizeof(uint32_t));
  return packed;
}

}  // namespace

Result<std::unique_ptr<RasterStage>> RasterStage::create(vk::Context& context, vk::GpuAllocator& allocator,
                                                         const RasterStageOptions& options) {
  const uint32_t rows = options.rowsPerInvocation;
  if (rows != 0 && rows != 1 && rows != 2 && rows != 4 && rows != 8 && rows != 16) {
    return makeError("raster: options.rowsPerInvocation", "must be 0 (automatic), 1, 2, 4, 8 or 16");
  }
  if (!context.info().features.int64) {
    return makeError("raster", "the Vulkan device lacks shaderInt64, which the exact edge functions need");
  }
  std::unique_ptr<RasterStage> stage(new RasterStage(context, allocator));
  auto setup = makePipeline(context, ShaderId::RasterSetup, 5);
  auto scan = makePipeline(context, ShaderId::RasterScan, 3);
  auto bin = makePipeline(context, ShaderId::RasterBin, 4);
  const uint32_t tileRows = tileRowsPerInvocation(context, rows);
  auto tile = makePipeline(context, ShaderId::RasterTile, 9, {tileRows, RASTER_TILE_SIZE / tileRows});
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
  // 25% headroom against regrowth, but never past what one binding may span: buffers are
  // bound whole (VK_WHOLE_SIZE), so a bound buffer must not exceed maxStorageBufferRange.
  const VkDeviceSize limit = std::max<VkDeviceSize>(bytes, mContext.info().maxStorageBufferRange);
  auto created = mAllocator.createBuffer({std::min(bytes + bytes / 4, limit), usage, memory, false, name});
  if (!created) return created.error();
  buffer = std::move(*created);
  return {};
}

Result<void> RasterStage::recordChunk(vk::CommandStream& stream, const gpu::RasterPush& base, bool directOutputs,
                                      uint32_t chunkIndex, vk::GpuTimestamps* timestamps) {
  const VkCommandBuffer cmd = stream.current();
  int span = -1;
  auto beginSpan = [&](const char* name) {
    if (timestamps) span = timestamps->beginSpan(cmd, name);
  };
  auto endSpan = [&] {
    if (timestamps) timestamps->endSpan(cmd, span);
  };
  // The previous chunk's passes read and wrote the scratch buffers this chunk reuses.
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                        VK_ACCESS_TRANSFER_WRITE_BIT);
  const uint32_t tileCount = base.tilesX * base.tilesY * base.viewCount;
  vkCmdFillBuffer(cmd, mTileCounts.handle(), 0, VK_WHOLE_SIZE, 0);
  vkCmdFillBuffer(cmd, mCursors.handle(), 0, VK_WHOLE_SIZE, 0);
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  const uint32_t triangleGroups = vk::groupCount(base.triangleCount, SETUP_GROUP);

  beginSpan("raster_setup");
  const vk::BufferBinding setupBindings[] = {{&mViews}, {&mPositions}, {&mIndices}, {&mSetupBuffer}, {&mTileCounts}};
  MESHRT_TRY(mSetup->dispatch(stream, setupBindings, &base, sizeof(base), triangleGroups, base.viewCount));
  endSpan();
  computeToCompute(cmd);
  beginSpan("raster_scan");

  const vk::BufferBinding scanBindings[] = {{&mTileCounts}, {&mBlockSums}, {&mTotals}};
  const uint32_t blocks = vk::groupCount(tileCount, RASTER_SCAN_BLOCK);
  gpu::RasterPush scan = base;
  scan.scanCount = tileCount;
  scan.scanLevel = 0;
  MESHRT_TRY(mScan->dispatch(stream, scanBindings, &scan, sizeof(scan), blocks));
  if (blocks > 1) {  // one block (<= 1024 tiles, e.g. one 512^2 view) is done after level 0
    computeToCompute(cmd);
    scan.scanCount = blocks;
    scan.scanLevel = 1;
    MESHRT_TRY(mScan->dispatch(stream, scanBindings, &scan, sizeof(scan), 1));
    computeToCompute(cmd);
    scan.scanCount = tileCount;
    scan.scanLevel = 2;
    MESHRT_TRY(mScan->dispatch(stream, scanBindings, &scan, sizeof(scan), blocks));
  }
  endSpan();
  computeToCompute(cmd);

  beginSpan("raster_bin");
  const vk::BufferBinding binBindings[] = {{&mSetupBuffer}, {&mTileCounts}, {&mCursors}, {&mList}};
  MESHRT_TRY(mBin->dispatch(stream, binBindings, &base, sizeof(base), triangleGroups, base.viewCount));
  endSpan();
  computeToCompute(cmd);

  vk::Buffer& ids = directOutputs ? mOutIds : mChunkIds;
  vk::Buffer& surface = directOutputs ? mOutSurface : mChunkSurface;
  vk::Buffer& attributes = directOutputs ? mOutAttributes : mChunkAttributes;
  // The tile pass writes covered pixels only; clearing at memset speed is much cheaper than a
  // shader store per uncovered pixel.
  vkCmdFillBuffer(cmd, ids.handle(), 0, VK_WHOLE_SIZE, RASTER_NO_TRIANGLE);
  vkCmdFillBuffer(cmd, surface.handle(), 0, VK_WHOLE_SIZE, 0);
  vkCmdFillBuffer(cmd, attributes.handle(), 0, VK_WHOLE_SIZE, 0);
  vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
  const vk::BufferBinding tileBindings[] = {{&mSetupBuffer}, {&mList},    {&mTileCounts}, {&mTotals},    {&mIndices},
                                            {&mVertexAttributes}, {&ids}, {&surface},     {&attributes}};
  beginSpan("raster_tile");
  MESHRT_TRY(mTile->dispatch(stream, tileBindings, &base, sizeof(base), base.tilesX, base.tilesY, base.viewCount));
  endSpan();
  if (!directOutputs) {
    vk::memoryBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                      VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
    const VkDeviceSize pixels = VkDeviceSize{base.width} * base.height;
    const VkDeviceSize first = pixels * base.viewBase, count = pixels * base.viewCount;
    const VkBufferCopy idCopy{0, first * 4, count * 4};
    const VkBufferCopy surfaceCopy{0, first * 16, count * 16};
    const VkBufferCopy attributeCopy{0, first * base.attributeStride * 4, count * base.attributeStride * 4};
    vkCmdCopyBuffer(cmd, mChunkIds.handle(), mOutIds.handle(), 1, &idCopy);
    vkCmdCopyBuffer(cmd, mChunkSurface.handle(), mOutSurface.handle(), 1, &surfaceCopy);
    vkCmdCopyBuffer(cmd, mChunkAttributes.handle(), mOutAttributes.handle(), 1, &attributeCopy);
  }
  vk::recordDownload(cmd, mTotals, 0, mTotalsReadback, VkDeviceSize{chunkIndex} * 4, sizeof(uint32_t));
  return {};
}

Result<void> RasterStage::run(vk::CommandStream& stream, const RasterMesh& mesh, std::span<const gpu::RasterView> views,
                              const RasterConfig& config, vk::GpuTimestamps* timestamps) {
  MESHRT_TRY(validateRasterInputs(mesh, views, config));
  gpu::RasterPush push{};
  push.width = config.width;
  push.height = config.height;
  push.tilesX = (config.width + RASTER_TILE_SIZE - 1) / RASTER_TILE_SIZE;
  push.tilesY = (config.height + RASTER_TILE_SIZE - 1) / RASTER_TILE_SIZE;
  push.triangleCount = static_cast<uint32_t>(mesh.triangles.size() / 3);
  push.extraCount = mesh.extraCount;
  push.flags = config.cullBackFaces ? RASTER_FLAG_CULL_BACK : 0u;
  push.attributeStride = rasterAttributeStride(mesh.extraCount);
  const uint32_t viewCount = static_cast<uint32_t>(views.size());
  const uint32_t tilesPerView = push.tilesX * push.tilesY;
  const uint64_t pixelsPerView = uint64_t{push.width} * push.height;

  // Views per chunk: every buffer a pass binds whole must stay within maxStorageBufferRange.
  const uint64_t maxRange = std::max<uint64_t>(mContext.info().maxStorageBufferRange, 1u << 20);
  const uint64_t perView = std::max({uint64_t{push.triangleCount} * sizeof(gpu::RasterTriangle), pixelsPerView * 16,
                                     pixelsPerView * push.attributeStride * 4, uint64_t{tilesPerView} * 4});
  if (perView > maxRange) {
    return makeError("raster", "one view needs a " + std::to_string(perView >> 20) + " MiB buffer; this device binds at most " +
                                   std::to_string(maxRange >> 20) + " MiB (use a smaller target or mesh)");
  }
  const uint32_t viewsPerChunk = static_cast<uint32_t>(
      std::min<uint64_t>({viewCount, maxRange / perView, uint64_t{RASTER_SCAN_BLOCK} * RASTER_SCAN_BLOCK / tilesPerView}));
  const uint32_t chunks = (viewCount + viewsPerChunk - 1) / viewsPerChunk;
  const bool directOutputs = chunks == 1;
  const std::vector<float> vertexAttributes = packVertexAttributes(mesh, push.attributeStride);
  const std::vector<uint32_t> triangles = packTriangles(mesh.triangles);
  const std::vector<float> positions = packPositions(mesh.positions);

  const auto viewBytes = std::as_bytes(views);
  const auto positionBytes = std::as_bytes(std::span(positions));
  const auto indexBytes = std::as_bytes(std::span(triangles));
  const auto attributeBytes = std::as_bytes(std::span(vertexAttributes));
  const size_t pixels = pixelsPerView * viewCount, chunkPixels = pixelsPerView * viewsPerChunk;
  using MU = vk::MemoryUsage;
  MESHRT_TRY(ensureBuffer(mStaging, viewBytes.size() + positionBytes.size() + indexBytes.size() + attributeBytes.size(),
                          VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MU::Upload, "raster staging"));
  MESHRT_TRY(ensureBuffer(mViews, viewBytes.size(), STORAGE, MU::DeviceLocal, "raster views"));
  MESHRT_TRY(ensureBuffer(mPositions, positionBytes.size(), STORAGE, MU::DeviceLocal, "raster positions"));
  MESHRT_TRY(ensureBuffer(mIndices, std::max<size_t>(indexBytes.size(), 16), STORAGE, MU::DeviceLocal, "raster indices"));
  MESHRT_TRY(ensureBuffer(mVertexAttributes, attributeBytes.size(), STORAGE, MU::DeviceLocal, "raster vertex attributes"));
  MESHRT_TRY(ensureBuffer(mSetupBuffer, size_t{push.triangleCount} * viewsPerChunk * sizeof(gpu::RasterTriangle),
                          STORAGE, MU::DeviceLocal, "raster setup"));
  MESHRT_TRY(ensureBuffer(mTileCounts, size_t{tilesPerView} * viewsPerChunk * 4, STORAGE, MU::DeviceLocal, "raster tile offsets"));
  MESHRT_TRY(ensureBuffer(mCursors, size_t{tilesPerView} * viewsPerChunk * 4, STORAGE, MU::DeviceLocal, "raster tile cursors"));
  MESHRT_TRY(ensureBuffer(mBlockSums, RASTER_SCAN_BLOCK * 4, STORAGE, MU::DeviceLocal, "raster block sums"));
  MESHRT_TRY(ensureBuffer(mTotals, 16, STORAGE, MU::DeviceLocal, "raster totals"));
  MESHRT_TRY(ensureBuffer(mTotalsReadback, size_t{chunks} * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, MU::Readback,
                          "raster totals readback"));
  MESHRT_TRY(ensureBuffer(mOutIds, pixels * 4, STORAGE, MU::DeviceLocal, "raster triangle ids"));
  MESHRT_TRY(ensureBuffer(mOutSurface, pixels * 16, STORAGE, MU::DeviceLocal, "raster surface"));
  MESHRT_TRY(ensureBuffer(mOutAttributes, pixels * push.attributeStride * 4, STORAGE, MU::DeviceLocal, "raster attributes"));
  if (!directOutputs) {
    MESHRT_TRY(ensureBuffer(mChunkIds, chunkPixels * 4, STORAGE, MU::DeviceLocal, "raster chunk ids"));
    MESHRT_TRY(ensureBuffer(mChunkSurface, chunkPixels * 16, STORAGE, MU::DeviceLocal, "raster chunk surface"));
    MESHRT_TRY(ensureBuffer(mChunkAttributes, chunkPixels * push.attributeStride * 4, STORAGE, MU::DeviceLocal,
                            "raster chunk attributes"));
  }
  const uint32_t maxListEntries = static_cast<uint32_t>(std::min<uint64_t>(maxRange / 4, UINT32_MAX));
  if (mListCapacity == 0) {
    mListCapacity = static_cast<uint32_t>(std::min<uint64_t>(
        maxListEntries, uint64_t{std::max(tilesPerView, push.triangleCount)} * viewsPerChunk * 2));
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    // Never bind more than the device allows, even with ensureBuffer's headroom.
    MESHRT_TRY(ensureBuffer(mList, size_t{mListCapacity} * 4, STORAGE, MU::DeviceLocal, "raster tile lists"));
    mListCapacity = static_cast<uint32_t>(std::min<uint64_t>(mList.size() / 4, maxListEntries));
    push.listCapacity = mListCapacity;
    auto cmd = stream.begin();
    if (!cmd) return cmd.error();
    if (timestamps) timestamps->reset(*cmd);
    const int uploadSpan = timestamps ? timestamps->beginSpan(*cmd, "raster_upload") : -1;
    VkDeviceSize offset = 0;
    for (auto [bytes, target] : {std::pair{viewBytes, &mViews}, std::pair{positionBytes, &mPositions},
                                 std::pair{indexBytes, &mIndices}, std::pair{attributeBytes, &mVertexAttributes}}) {
      MESHRT_TRY(vk::recordUpload(*cmd, mStaging, offset, bytes, *target, 0));
      offset += bytes.size();
    }
    if (timestamps) timestamps->endSpan(*cmd, uploadSpan);
    for (uint32_t chunk = 0; chunk < chunks; ++chunk) {
      push.viewBase = chunk * viewsPerChunk;
      push.viewCount = std::min(viewsPerChunk, viewCount - push.viewBase);
      MESHRT_TRY(recordChunk(stream, push, directOutputs, chunk, timestamps));
    }
    auto value = stream.submit();
    if (!value) return value.error();
    MESHRT_TRY(stream.wait(*value));
    const auto* totals = static_cast<const uint32_t*>(mTotalsReadback.mapped());
    mListEntries = *std::max_element(totals, totals + chunks);
    if (mListEntries <= mListCapacity) break;
    if (attempt == 1 || mListCapacity == maxListEntries) {
      return makeError("raster", "tile lists need " + std::to_string(mListEntries) +
                                     " entries, more than one binding holds on this device (split the batch)");
    }
    mListCapacity = static_cast<uint32_t>(std::min<uint64_t>(maxListEntries, uint64_t{mListEntries} * 3 / 2));
    ++mListGrowths;
  }
  mChunks = chunks;
  mLastConfig = config;
  mLastViews = viewCount;
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
