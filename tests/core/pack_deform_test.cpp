// ttp / regress packs with their encoder (core/pack.h, docs/PACKS.md "ttp and regress packs"):
// models.encoder and solver parse, the heads a pack supports follow its outputs, and every bad
// field gives one line naming pack.json and the field. The model file here is a stand-in (the
// manifest checks do not read it; the hash check does).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/pack.h"
#include "heads/silhouette_fit.h"
#include "heads/ttp_solver.h"
#include "support/synthetic_bird_pack.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

class DeformPackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mRoot = fs::temp_directory_path() / ("meshrt_deform_pack_" + std::to_string(::getpid()));
    fs::remove_all(mRoot);
    mPack = mRoot / "synthetic-bird";
    fs::create_directories(mPack);
    std::ofstream(mPack / "synthetic_bird.onnx") << "stand-in model bytes";
    ASSERT_EQ(test::assembleSyntheticBirdPack(mPack, mPack / "synthetic_bird.onnx"), "");
    std::ifstream in(mPack / "pack.json");
    mJson = nlohmann::json::parse(in);
  }
  void TearDown() override { fs::remove_all(mRoot); }

  Result<PackSpec> load(const nlohmann::json& json) {
    std::ofstream(mPack / "pack.json") << json.dump(2);
    return loadPack(mPack.string());
  }
  void expectError(const nlohmann::json& json, const std::string& field, const std::string& reason) {
    auto pack = load(json);
    ASSERT_FALSE(pack.ok()) << field;
    const std::string& message = pack.error().message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind((mPack / "pack.json").string() + ": " + field + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }

  fs::path mRoot, mPack;
  nlohmann::json mJson;
};

TEST_F(DeformPackTest, SourcePlusEncoderLoadsWithBothHeads) {
  auto pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_TRUE(pack->hasModels);
  EXPECT_EQ(pack->head, "ttp");
  EXPECT_EQ(pack->templateFit, TemplateFit::Deform);
  EXPECT_EQ(pack->encoder.path, (mPack / "synthetic_bird.onnx").string());
  EXPECT_EQ(pack->encoder.input.width, 128u);  // assets/pack_sources/synthetic-bird/encoder.json
  EXPECT_EQ(pack->encoder.input.height, 128u);
  EXPECT_EQ(pack->encoder.input.normalization, PackNormalization::MinusOneToOne);
  EXPECT_EQ(pack->encoder.input.crop, PackCropMode::StretchFrame);
  EXPECT_EQ(pack->encoder.output("regress"), "regress");
  EXPECT_EQ(pack->encoder.output("points"), "points");
  EXPECT_EQ(pack->encoder.output("visibility"), "visibility");
  EXPECT_TRUE(pack->supportsHead("ttp"));
  EXPECT_TRUE(pack->supportsHead("regress"));
  EXPECT_FALSE(pack->supportsHead("face"));
  EXPECT_EQ(pack->supportedHeads(), (std::vector<std::string>{"ttp", "regress"}));
  EXPECT_FLOAT_EQ(pack->solver.gamma, 0.001f);
  EXPECT_EQ(pack->solver.alternations, 4u);
}

TEST_F(DeformPackTest, SolverDefaultsAreTtpSolverParams) {
  mJson.erase("solver");
  auto pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  const TtpSolverParams defaults;
  EXPECT_EQ(pack->solver.gamma, defaults.gamma);
  EXPECT_EQ(pack->solver.alternations, defaults.alternations);
  EXPECT_EQ(pack->solver.robustScale, defaults.robustScale);
  mJson["solver"] = {{"alternations", 2}, {"robust_scale", 0.05}};
  pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->solver.alternations, 2u);
  EXPECT_FLOAT_EQ(pack->solver.robustScale, 0.05f);
  EXPECT_EQ(pack->solver.gamma, defaults.gamma);
}

TEST_F(DeformPackTest, TestTimeMirrorIsReadAndOffByDefault) {
  mJson.erase("test_time_mirror");
  auto pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_FALSE(pack->testTimeMirror);
  mJson["test_time_mirror"] = true;
  pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_TRUE(pack->testTimeMirror);
  mJson["test_time_mirror"] = "yes";
  expectError(mJson, "test_time_mirror", "");
}

TEST_F(DeformPackTest, HeadsFollowTheOutputs) {
  nlohmann::json regressOnly = mJson;
  regressOnly["head"] = "regress";
  regressOnly["models"]["encoder"]["outputs"] = {{"regress", "regress"}};
  regressOnly.erase("silhouette_fit");  // it needs the mask output
  auto pack = load(regressOnly);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->supportedHeads(), std::vector<std::string>{"regress"});
  EXPECT_EQ(describeHeads(*pack), "its heads: regress");

  nlohmann::json ttpOnly = mJson;
  ttpOnly["models"]["encoder"]["outputs"].erase("regress");
  pack = load(ttpOnly);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->supportedHeads(), std::vector<std::string>{"ttp"});

  nlohmann::json regressDefault = mJson;
  regressDefault["head"] = "regress";
  pack = load(regressDefault);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->supportedHeads(), (std::vector<std::string>{"regress", "ttp"}));  // the default first
}

TEST_F(DeformPackTest, SilhouetteFitIsReadWithTheMaskOutput) {
  auto pack = load(mJson);  // encoder.json's settings
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->encoder.output("mask"), "mask");
  EXPECT_TRUE(pack->silhouetteFit.enabled);
  EXPECT_EQ(pack->silhouetteFit.iterations, 15u);
  EXPECT_EQ(pack->silhouetteFit.outlineIterations, 15u);
  EXPECT_FLOAT_EQ(pack->silhouetteFit.anchorWeight, 0.3f);
  EXPECT_FLOAT_EQ(pack->silhouetteFit.shapePrior, 0.3f);

  mJson["silhouette_fit"] = nlohmann::json::object();  // every default: SilhouetteFitParams's
  pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  const SilhouetteFitParams defaults;
  EXPECT_TRUE(pack->silhouetteFit.enabled);
  EXPECT_EQ(pack->silhouetteFit.iterations, defaults.iterations);
  EXPECT_EQ(pack->silhouetteFit.upsample, defaults.upsample);
  EXPECT_EQ(pack->silhouetteFit.threshold, defaults.threshold);
  EXPECT_EQ(pack->silhouetteFit.shapePrior, defaults.shapePrior);
  EXPECT_EQ(pack->silhouetteFit.anchorWeight, defaults.anchorWeight);

  mJson.erase("silhouette_fit");  // off without the field, even with the mask output listed
  pack = load(mJson);
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_FALSE(pack->silhouetteFit.enabled);
}

// The BadPack cases of the deform manifest (tests/core/pack_test.cpp BadPack for the other heads).
TEST_F(DeformPackTest, BadPackCases) {
  nlohmann::json json = mJson;
  json["models"]["encoder"]["input"]["crop"] = "letterbox_replicate";
  expectError(json, "models.encoder.input.crop", "expected stretch_frame");

  json = mJson;
  json["models"]["encoder"]["outputs"].erase("visibility");
  expectError(json, "models.encoder.outputs.visibility", "needs both points and visibility");

  json = mJson;
  json["models"]["encoder"]["outputs"].erase("points");
  expectError(json, "models.encoder.outputs.points", "needs both points and visibility");

  json = mJson;
  json["models"]["encoder"]["outputs"] = nlohmann::json::object();
  expectError(json, "models.encoder.outputs.regress", "no head can run");

  json = mJson;
  json["models"]["encoder"]["outputs"] = {{"regress", "regress"}, {"mask", "mask"}};  // the default head ttp cannot run
  expectError(json, "head", "'ttp' is not among the encoder's heads");

  json = mJson;
  json["models"]["encoder"]["outputs"]["keypoints"] = "x";
  expectError(json, "models.encoder.outputs.keypoints", "unknown field");

  json = mJson;
  json["models"]["detector"] = json["models"]["encoder"];
  expectError(json, "models.detector", "unknown field");

  json = mJson;
  json["models"]["encoder"]["path"] = "missing.onnx";
  expectError(json, "models.encoder.path", "file not found");

  json = mJson;
  json["models"]["encoder"]["sha256"] = std::string(64, 'a');
  expectError(json, "models.encoder.sha256", "does not match");

  json = mJson;
  json["models"]["encoder"]["input"]["width"] = 0;
  expectError(json, "models.encoder.input.width", "");

  json = mJson;
  json["solver"]["alternations"] = 0;
  expectError(json, "solver.alternations", "");

  json = mJson;
  json["solver"]["gamma"] = -1;
  expectError(json, "solver.gamma", "");

  json = mJson;
  json["solver"]["robust_scale"] = -0.1;
  expectError(json, "solver.robust_scale", "");

  json = mJson;
  json["solver"]["iterations"] = 3;
  expectError(json, "solver.iterations", "unknown field");

  json = mJson;
  json["models"]["encoder"]["outputs"].erase("mask");
  expectError(json, "silhouette_fit", "needs the encoder output 'mask'");

  json = mJson;
  json["silhouette_fit"]["threshold"] = 1.0;
  expectError(json, "silhouette_fit.threshold", "strictly between 0 and 1");

  json = mJson;
  json["silhouette_fit"]["iterations"] = 0;
  expectError(json, "silhouette_fit.iterations", "");

  json = mJson;
  json["silhouette_fit"]["upsample"] = 64;
  expectError(json, "silhouette_fit.upsample", "");

  json = mJson;
  json["silhouette_fit"]["anchor_weight"] = -1;
  expectError(json, "silhouette_fit.anchor_weight", "");

  json = mJson;
  json["silhouette_fit"]["steps"] = 3;
  expectError(json, "silhouette_fit.steps", "unknown field");

  json = mJson;
  json["silhouette_fit"] = true;
  expectError(json, "silhouette_fit", "");
}

TEST_F(DeformPackTest, DatasetOnlyPackRunsNoHead) {
  nlohmann::json json = mJson;
  json.erase("models");
  std::ofstream(mPack / "pack.json") << json.dump(2);
  auto pack = loadPack(mPack.string(), PackLoadOptions{.requireModels = false});
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_FALSE(pack->hasModels);
  EXPECT_TRUE(pack->supportedHeads().empty());
  EXPECT_NE(describeHeads(*pack).find("dataset-only"), std::string::npos);
}

}  // namespace
}  // namespace meshrt
