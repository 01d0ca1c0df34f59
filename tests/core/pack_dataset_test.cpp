// Dataset-only packs (core/pack.h PackLoadOptions, docs/PACKS.md "ttp and regress packs"): the
// committed synthetic-bird source loads with requireModels = false and is refused without it;
// bad template / basis fields give one line naming the file and field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/pack.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

class DatasetPackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mRoot = fs::temp_directory_path() / ("meshrt_dataset_pack_" + std::to_string(::getpid()));
    fs::remove_all(mRoot);
    mPack = mRoot / "synthetic-bird";
    fs::create_directories(mPack);
    const fs::path source = MESHRT_SOURCE_DIR;
    for (const char* name : {"synthetic_bird.obj", "synthetic_bird_basis.npy"})
      fs::copy_file(source / "assets/templates" / name, mPack / name);
    std::ifstream in(source / "assets/pack_sources/synthetic-bird/pack.json");
    mJson = nlohmann::json::parse(in);
  }
  void TearDown() override { fs::remove_all(mRoot); }

  Result<PackSpec> load(const nlohmann::json& json, bool requireModels = false) {
    std::ofstream(mPack / "pack.json") << json.dump(2);
    return loadPack(mPack.string(), PackLoadOptions{.requireModels = requireModels});
  }
  // Loads `json` and expects one error line containing `field` and `reason`.
  void expectError(const nlohmann::json& json, const std::string& field, const std::string& reason) {
    auto pack = load(json);
    ASSERT_FALSE(pack.ok()) << field;
    const std::string& message = pack.error().message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find((mPack / "pack.json").string() + ": " + field), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }

  fs::path mRoot, mPack;
  nlohmann::json mJson;
};

TEST_F(DatasetPackTest, CommittedSourceLoadsAsDatasetOnly) {
  auto pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->name, "synthetic-bird");
  EXPECT_EQ(pack->head, "ttp");
  EXPECT_EQ(pack->category, "bird");
  EXPECT_FALSE(pack->hasModels);
  EXPECT_EQ(pack->templateFit, TemplateFit::Deform);
  EXPECT_EQ(pack->templatePath, (mPack / "synthetic_bird.obj").string());
  EXPECT_EQ(pack->basisPath, (mPack / "synthetic_bird_basis.npy").string());
  EXPECT_EQ(pack->basisCount, 16u);
  nlohmann::json regress = mJson;
  regress["head"] = "regress";
  auto regressPack = load(regress);
  ASSERT_TRUE(regressPack.ok()) << regressPack.error().message;
  EXPECT_EQ(regressPack->head, "regress");
}

TEST_F(DatasetPackTest, ModelsAreRequiredUnlessTheCallerSaysOtherwise) {
  auto pack = load(mJson, /*requireModels=*/true);
  ASSERT_FALSE(pack.ok());
  EXPECT_NE(pack.error().message.find("pack.json: models: missing"), std::string::npos) << pack.error().message;
}

TEST_F(DatasetPackTest, BadFieldsNameTheFieldAndReason) {
  nlohmann::json json = mJson;
  json["models"] = nlohmann::json::object();
  expectError(json, "models.encoder", "missing");  // models given: the encoder (tests/core/pack_deform_test.cpp)
  json = mJson;
  json["detector"] = nlohmann::json::object();
  expectError(json, "detector", "unknown field");
  json = mJson;
  json["template"]["fit"] = "box";
  expectError(json, "template.fit", "");
  json = mJson;
  json["basis"]["count"] = 8;
  expectError(json, "basis.path", "expected float32 642x3x8");
  json = mJson;
  json["basis"]["count"] = 0;
  expectError(json, "basis.count", "");
  json = mJson;
  json["basis"]["path"] = "missing.npy";
  expectError(json, "basis.path", "file not found");
  json = mJson;
  json["basis"]["path"] = "synthetic_bird.obj";
  expectError(json, "basis.path", "is not a .npy file");
  json = mJson;
  json.erase("basis");
  expectError(json, "basis", "");
  // A template whose vertex count differs from the basis rows.
  std::ofstream(mPack / "tiny.obj") << "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nf 1/1 2/2 3/3\n";
  json = mJson;
  json["template"]["path"] = "tiny.obj";
  expectError(json, "basis.path", "expected float32 3x3x16");
}

}  // namespace
}  // namespace meshrt
