// UV splatting: the CPU reference against the independent PyTorch implementation
// (tools/uv_splat_peer.py; issue 4, acceptance 2). The goldens in tests/goldens/uv_splat hold the
// cases' inputs (rasterized UVs and coverage) and the peer's float64 outputs stored as float32;
// regenerate them with `/usr/bin/python3 tools/uv_splat_peer.py goldens`. Features and upstream
// gradients come from seeds (tests/support/splitmix.h), the same numbers on both sides.
//
// Tolerance: relative L2 <= 1e-5 for texture, weight and both gradients (float32 reference vs
// float64 peer); lookup tables and dropped-entry counts equal exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/npy_file.h"
#include "stages/uv_splat.h"
#include "support/splitmix.h"
#include "support/tensor_compare.h"

namespace meshrt {
namespace {

const std::string GOLDEN_DIR = MESHRT_SOURCE_DIR "/tests/goldens/uv_splat/";
constexpr double TOLERANCE = 1e-5;

NpyArray loadGolden(const std::string& name) {
  auto array = readNpy(GOLDEN_DIR + name);
  EXPECT_TRUE(array.ok()) << array.error().message;
  return array.ok() ? std::move(array.value()) : NpyArray{};
}

TEST(UvSplatGolden, ReferenceMatchesThePyTorchPeer) {
  std::ifstream file(GOLDEN_DIR + "cases.json");
  ASSERT_TRUE(file) << GOLDEN_DIR << "cases.json missing";
  const auto cases = nlohmann::json::parse(file)["cases"];
  ASSERT_GE(cases.size(), 5u);
  for (const auto& testCase : cases) {
    const std::string name = testCase["name"];
    SCOPED_TRACE(name);
    UvSplatConfig config;
    config.imageWidth = testCase["imageWidth"];
    config.imageHeight = testCase["imageHeight"];
    config.channels = testCase["channels"];
    config.textureWidth = testCase["textureWidth"];
    config.textureHeight = testCase["textureHeight"];
    config.maxQuadExtent = testCase["maxQuadExtent"];
    config.lutCapacity = testCase["lutCapacity"];
    const uint64_t pixels = uint64_t(config.imageWidth) * config.imageHeight;
    const uint64_t texels = uint64_t(config.textureWidth) * config.textureHeight;

    const NpyArray uvs = loadGolden(name + "_uvs.npy");
    const NpyArray mask = loadGolden(name + "_mask.npy");
    const auto features = test::splitmixSigned(testCase["featureSeed"], config.channels * pixels);
    const auto textureGrad = test::splitmixSigned(testCase["gradSeed"], config.channels * texels);
    const UvSplatInputs inputs{features, uvs.floats(), mask.uint8s()};

    auto forward = uvSplatForwardReference(config, inputs);
    ASSERT_TRUE(forward.ok()) << forward.error().message;
    EXPECT_LE(test::relativeL2(forward->texture, loadGolden(name + "_texture.npy").floats()), TOLERANCE);
    EXPECT_LE(test::relativeL2(forward->weight, loadGolden(name + "_weight.npy").floats()), TOLERANCE);
    const NpyArray lut = loadGolden(name + "_lut.npy");
    EXPECT_TRUE(std::equal(forward->lut.begin(), forward->lut.end(), lut.uint32s().begin(), lut.uint32s().end()));
    EXPECT_EQ(forward->droppedEntries, testCase["droppedEntries"].get<uint64_t>());

    auto gradients = uvSplatBackwardReference(config, inputs, forward.value(), textureGrad);
    ASSERT_TRUE(gradients.ok()) << gradients.error().message;
    EXPECT_LE(test::relativeL2(gradients->features, loadGolden(name + "_dfeatures.npy").floats()), TOLERANCE);
    EXPECT_LE(test::relativeL2(gradients->uvs, loadGolden(name + "_duvs.npy").floats()), TOLERANCE);
  }
}

}  // namespace
}  // namespace meshrt
