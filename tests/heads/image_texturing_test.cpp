// heads/image_texturing.h on the Vulkan stages against the same composition on their CPU
// references: the cup reconstructed from the coffee photo (objectron-cup pack) and the
// astronaut's face, textured both ways. Raster coverage is an integer output: exact match. The
// texture bytes: equal within 1 level (both splats compute the same float values, docs/UV_SPLAT.md;
// 1 level leaves room for a rounding tie; measured: 0). Validation on: any message fails (VulkanTest).
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/image.h"
#include "heads/image_texturing.h"
#include "heads/object_pipeline.h"
#include "support/installed_pack.h"
#include "support/vulkan_environment.h"

namespace meshrt::test {
namespace {

class ImageTexturingTest : public VulkanTest {
 protected:
  void compareBackends(const std::string& packName, const std::string& photoName) {
    auto pack = findAndLoadPack(packName, bundledPackDirectory());
    if (!pack.ok() && pack.error().message.find("not found (searched") != std::string::npos) {
      GTEST_SKIP() << "pack not installed: " << pack.error().message;
    }
    ASSERT_TRUE(pack.ok()) << pack.error().message;
    const std::string photo = testPhotoPath(photoName);
    if (!std::filesystem::exists(photo)) GTEST_SKIP() << "test photo missing: " << photo;
    auto image = readImage(photo);
    ASSERT_TRUE(image.ok()) << image.error().message;
    auto pipeline = createObjectPipeline(*pack, {});
    ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
    auto frame = (*pipeline)->process(*image);
    ASSERT_TRUE(frame.ok()) << frame.error().message;
    ASSERT_EQ(frame->objects.size(), 1u);
    const ReconstructedObject& object = frame->objects[0];
    const ImageTexturingParams params = texturingParamsFor(object.camera, 256);
    auto gpu = ImageTexturer::create(&context());
    ASSERT_TRUE(gpu.ok()) << gpu.error().message;
    ASSERT_TRUE((*gpu)->usesVulkan());
    auto cpu = ImageTexturer::create(nullptr);
    ASSERT_TRUE(cpu.ok()) << cpu.error().message;
    auto gpuTexture = (*gpu)->texture(*image, object.mesh, params);
    ASSERT_TRUE(gpuTexture.ok()) << gpuTexture.error().message;
    auto cpuTexture = (*cpu)->texture(*image, object.mesh, params);
    ASSERT_TRUE(cpuTexture.ok()) << cpuTexture.error().message;
    EXPECT_EQ(gpuTexture->coveredPixels, cpuTexture->coveredPixels);
    EXPECT_EQ(gpuTexture->filledTexels, cpuTexture->filledTexels);
    EXPECT_GT(gpuTexture->filledTexels, 1000u);
    ASSERT_EQ(gpuTexture->texture.pixels.size(), cpuTexture->texture.pixels.size());
    int worst = 0;
    for (size_t i = 0; i < gpuTexture->texture.pixels.size(); ++i) {
      worst = std::max(worst, std::abs(int(gpuTexture->texture.pixels[i]) - int(cpuTexture->texture.pixels[i])));
    }
    std::printf("%s: %u covered pixels, %u filled texels, max byte difference %d\n", packName.c_str(),
                gpuTexture->coveredPixels, gpuTexture->filledTexels, worst);
    EXPECT_LE(worst, 1);
    // A second frame on the same texturer reuses its device buffers: the same bytes again.
    auto again = (*gpu)->texture(*image, object.mesh, params);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->texture.pixels, gpuTexture->texture.pixels);
    EXPECT_EQ(again->weight, gpuTexture->weight);
    EXPECT_EQ(again->coveredPixels, gpuTexture->coveredPixels);
  }
};

TEST_F(ImageTexturingTest, CupVulkanEqualsCpuReference) { compareBackends("objectron-cup", "coffee.jpg"); }
TEST_F(ImageTexturingTest, FaceVulkanEqualsCpuReference) { compareBackends("face", "astronaut.jpg"); }

}  // namespace
}  // namespace meshrt::test
