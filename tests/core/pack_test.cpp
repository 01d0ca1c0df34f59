// loadPack (core/pack.h): the installed packs load with the values docs/PACKS.md records, and
// every kind of bad pack.json gives one line naming the file, the field and the reason.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "core/pack.h"
#include "core/pack_discovery.h"
#include "core/sha256_file.h"
#include "nn/tflite_importer.h"

namespace meshrt {
namespace {

namespace fs = std::filesystem;

// SHA-256 test vectors (FIPS 180-2): "abc" and the empty message.
constexpr const char* SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void writeFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Where tools/install_packs.py puts the packs (the cache entry of packSearchPath).
fs::path installedPacksDirectory() {
  if (const char* cache = std::getenv("MESHRT_CACHE"); cache && *cache) return fs::path(cache) / "packs";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "meshrt" / "packs";
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : ".") / ".cache" / "meshrt" / "packs";
}

TEST(Sha256File, MatchesTheStandardTestVectors) {
  const fs::path dir = fs::temp_directory_path() / ("meshrt_sha_" + std::to_string(::getpid()));
  writeFile(dir / "abc", "abc");
  writeFile(dir / "empty", "");
  const auto abc = sha256OfFile((dir / "abc").string());
  const auto empty = sha256OfFile((dir / "empty").string());
  const auto missing = sha256OfFile((dir / "missing").string());
  fs::remove_all(dir);
  ASSERT_TRUE(abc.ok()) << abc.error().message;
  EXPECT_EQ(*abc, SHA256_ABC);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(*empty, SHA256_EMPTY);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("missing: No such file"), std::string::npos) << missing.error().message;
}

struct InstalledCase {
  const char* name;
  const char* head;
  uint32_t keypoints;
  std::vector<int32_t> labelIds;  // lines of object_detection_oidv4_labelmap.txt (0 = "???")
  const char* landmarkModel;
  const char* templateName;
};

TEST(Pack, InstalledPacksLoadWithTheDocumentedValues) {
  const std::vector<InstalledCase> cases = {
      {"objectron-cup", "objectron", 9, {13, 12}, "object_detection_3d_cup.tflite", "cup.obj"},
      {"objectron-sneakers", "objectron", 9, {19}, "object_detection_3d_sneakers.tflite", "cuboid.obj"},
      {"objectron-chair", "objectron", 9, {5}, "object_detection_3d_chair.tflite", "cuboid.obj"},
      {"objectron-camera", "objectron", 9, {22}, "object_detection_3d_camera.tflite", "cuboid.obj"},
      {"face", "face", 468, {}, "face_landmark.tflite", "face_canonical.obj"},
  };
  const fs::path root = installedPacksDirectory();
  for (const InstalledCase& c : cases) {
    if (!fs::exists(root / c.name / "pack.json")) {
      GTEST_SKIP() << "packs not installed: run ./meshrt.sh fetch (" << (root / c.name).string() << " is missing)";
    }
  }
  for (const InstalledCase& c : cases) {
    SCOPED_TRACE(c.name);
    const auto pack = loadPack((root / c.name).string());
    ASSERT_TRUE(pack.ok()) << pack.error().message;
    EXPECT_EQ(pack->name, c.name);
    EXPECT_EQ(pack->head, c.head);
    EXPECT_EQ(pack->keypointCount, c.keypoints);
    EXPECT_EQ(pack->detection.labelIds, c.labelIds);
    EXPECT_EQ(fs::path(pack->landmarks.path).filename(), c.landmarkModel);
    EXPECT_EQ(fs::path(pack->templatePath).filename(), c.templateName);
    EXPECT_TRUE(fs::path(pack->templatePath).is_absolute());
    EXPECT_EQ(pack->detector.sha256.size(), 64u);
    EXPECT_EQ(pack->landmarks.input.normalization, PackNormalization::ZeroToOne);
    EXPECT_EQ(pack->detector.input.normalization, PackNormalization::MinusOneToOne);
    EXPECT_EQ(pack->landmarks.input.crop, PackCropMode::LetterboxReplicate);
    EXPECT_FLOAT_EQ(pack->crop.scale, 1.5f);
    EXPECT_TRUE(pack->crop.square);
    if (std::string(c.head) == "objectron") {
      EXPECT_EQ(pack->detector.output("boxes"), "raw_outputs/box_encodings");
      EXPECT_EQ(pack->detector.output("scores"), "raw_outputs/class_predictions");
      EXPECT_EQ(pack->landmarks.output("keypoints"), "Identity_1");
      EXPECT_EQ(pack->landmarks.output("presence"), "Identity");
      EXPECT_FALSE(pack->landmarks.presenceIsLogit);
      EXPECT_EQ(pack->detector.input.width, 300u);
      EXPECT_EQ(pack->detector.input.crop, PackCropMode::StretchFrame);
      EXPECT_EQ(pack->landmarks.input.width, 224u);
      EXPECT_EQ(pack->crop.rotationFrom, -1);
      EXPECT_EQ(pack->templateFit, TemplateFit::Box);
    } else {
      EXPECT_EQ(pack->detector.output("boxes"), "regressors");
      EXPECT_EQ(pack->landmarks.output("keypoints"), "conv2d_21");
      EXPECT_EQ(pack->landmarks.output("presence"), "conv2d_31");
      EXPECT_TRUE(pack->landmarks.presenceIsLogit);
      EXPECT_EQ(pack->detector.input.width, 128u);
      EXPECT_EQ(pack->detector.input.crop, PackCropMode::LetterboxZero);
      EXPECT_EQ(pack->landmarks.input.width, 192u);
      EXPECT_EQ(pack->crop.rotationFrom, 0);
      EXPECT_EQ(pack->crop.rotationTo, 1);
      EXPECT_EQ(pack->crop.trackingRotationFrom, 33);
      EXPECT_EQ(pack->crop.trackingRotationTo, 263);
      EXPECT_EQ(pack->detection.maxDetections, 1u);
      EXPECT_EQ(pack->templateFit, TemplateFit::Landmarks);
    }
  }
}

// The tensor names and input sizes recorded in the installed pack.json files are the models' own:
// each named output is a graph output, each input is [1, 3, height, width] after import (NCHW).
TEST(Pack, InstalledPacksNameTheModelsOutputsAndInputSizes) {
  const fs::path root = installedPacksDirectory();
  size_t checked = 0;
  for (const char* name : {"objectron-cup", "objectron-sneakers", "objectron-chair", "objectron-camera", "face"}) {
    if (!fs::exists(root / name / "pack.json")) {
      GTEST_SKIP() << "packs not installed: run ./meshrt.sh fetch (" << (root / name).string() << " is missing)";
    }
    const auto pack = loadPack((root / name).string());
    ASSERT_TRUE(pack.ok()) << pack.error().message;
    for (const PackModel* model : {&pack->detector, &pack->landmarks}) {
      SCOPED_TRACE(model->path);
      const auto graph = nn::importTflite(model->path);
      ASSERT_TRUE(graph.ok()) << graph.error().message;
      std::vector<std::string> outputNames;
      for (const nn::TensorId id : graph->outputs) outputNames.push_back(graph->tensors[id].name);
      for (const auto& [role, tensor] : model->outputs) {
        EXPECT_NE(std::find(outputNames.begin(), outputNames.end(), tensor), outputNames.end())
            << role << " = '" << tensor << "' is not a graph output";
      }
      ASSERT_EQ(graph->inputs.size(), 1u);
      EXPECT_EQ(graph->tensors[graph->inputs[0]].shape,
                (nn::Shape{1, 3, int64_t(model->input.height), int64_t(model->input.width)}));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 10u);
}

// A valid hand-made pack in a temporary directory; each test breaks one thing.
class BadPack : public ::testing::Test {
 protected:
  void SetUp() override {
    mRoot = fs::temp_directory_path() / ("meshrt_pack_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(mRoot);
    mDir = mRoot / "test-cup";
    writeFile(mDir / "detector.tflite", "abc");
    writeFile(mDir / "landmarks.tflite", "");
    writeFile(mDir / "labels.txt", "???\nBicycle\nMug\r\nCoffee cup\n");
    writeFile(mDir / "box.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nf 1/1 2/2 3/3\n");
    mJson = nlohmann::json::parse(R"({
      "format": 1, "name": "test-cup", "head": "objectron", "category": "cup",
      "licence": "Apache-2.0", "source": "hand-written test pack",
      "models": {
        "detector": {"path": "detector.tflite", "sha256": ")" + std::string(SHA256_ABC) + R"(",
                     "input": {"width": 300, "height": 300, "normalization": "minus_one_to_one", "crop": "stretch_frame"},
                     "outputs": {"boxes": "b", "scores": "s"}},
        "landmarks": {"path": "landmarks.tflite", "sha256": ")" + std::string(SHA256_EMPTY) + R"(",
                      "input": {"width": 224, "height": 224, "normalization": "zero_to_one", "crop": "letterbox_replicate"},
                      "outputs": {"keypoints": "k", "presence": "p"}}},
      "detector": {"labels": ["Coffee cup", "Mug"], "label_map": "labels.txt",
                   "min_score": 0.5, "iou_threshold": 0.5, "max_detections": 5},
      "crop": {"scale": 1.5, "square": true, "rotation_from": -1, "rotation_to": -1, "target_angle_deg": 0},
      "tracking": {"min_presence": 0.5, "rotation_from": -1, "rotation_to": -1},
      "keypoints": 9,
      "template": {"path": "box.obj", "fit": "box"},
      "camera": {"focal_per_long_side": 1.2}})");
  }
  void TearDown() override { fs::remove_all(mRoot); }

  Result<PackSpec> load() {
    writeFile(mDir / "pack.json", mJson.dump(2));
    return loadPack(mDir.string());
  }

  // Loads, expects failure with one line that starts with the manifest path and holds `field`
  // and `reason`.
  void expectError(const std::string& field, const std::string& reason) {
    const auto pack = load();
    ASSERT_FALSE(pack.ok()) << "loaded although " << field << " is bad";
    const std::string& message = pack.error().message;
    const std::string manifest = (mDir / "pack.json").string();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_EQ(message.rfind(manifest + ": " + field + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }

  fs::path mRoot, mDir;
  nlohmann::json mJson;
};

TEST_F(BadPack, TheUnbrokenPackLoads) {
  const auto pack = load();
  ASSERT_TRUE(pack.ok()) << pack.error().message;
  EXPECT_EQ(pack->detection.labelIds, (std::vector<int32_t>{3, 2})) << "label map lines, CR stripped";
  EXPECT_EQ(pack->detector.path, (mDir / "detector.tflite").string());
  EXPECT_EQ(pack->detection.labelMapPath, (mDir / "labels.txt").string());
  EXPECT_EQ(pack->directory, mDir.string());
  EXPECT_FLOAT_EQ(pack->focalPerLongSide, 1.2f);
}

TEST_F(BadPack, WrongFormat) {
  mJson["format"] = 2;
  expectError("format", "2 is not supported");
}

TEST_F(BadPack, MissingField) {
  mJson.erase("category");
  expectError("category", "missing");
}

TEST_F(BadPack, MissingNestedField) {
  mJson["models"]["landmarks"]["input"].erase("height");
  expectError("models.landmarks.input.height", "missing");
}

TEST_F(BadPack, WrongType) {
  mJson["keypoints"] = "9";
  expectError("keypoints", "expected an integer, got string");
}

TEST_F(BadPack, OutOfRange) {
  mJson["detector"]["min_score"] = 1.5;
  expectError("detector.min_score", "out of range [0, 1]");
}

TEST_F(BadPack, UnknownHead) {
  mJson["head"] = "segmentation";
  expectError("head", "'segmentation' is not one of: objectron, face, ttp, regress");
}

TEST_F(BadPack, UnknownEnumValue) {
  mJson["models"]["detector"]["input"]["normalization"] = "mean_std";
  expectError("models.detector.input.normalization", "'mean_std' is not one of");
}

TEST_F(BadPack, MisspeltField) {
  mJson["tracking"]["min_presense"] = 0.5;
  expectError("tracking.min_presense", "unknown field");
}

TEST_F(BadPack, NameDiffersFromDirectory) {
  mJson["name"] = "cup";
  expectError("name", "differs from the directory name 'test-cup'");
}

TEST_F(BadPack, MissingModelFile) {
  mJson["models"]["landmarks"]["path"] = "nope.tflite";
  expectError("models.landmarks.path", "file not found: " + (mDir / "nope.tflite").string());
}

TEST_F(BadPack, AbsoluteModelPath) {
  mJson["models"]["landmarks"]["path"] = (mDir / "landmarks.tflite").string();
  expectError("models.landmarks.path", "must be relative to the pack directory");
}

// Packs are untrusted: a relative path may not climb out of the pack directory (found while
// writing the pack fuzz target: a label map "../../x.txt" was read from anywhere).
TEST_F(BadPack, PathLeavingThePackDirectory) {
  mJson["detector"]["label_map"] = "../" + mDir.filename().string() + "/../outside.txt";
  expectError("detector.label_map", "leaves the pack directory");
}

TEST_F(BadPack, MalformedHash) {
  mJson["models"]["detector"]["sha256"] = "ABC";
  expectError("models.detector.sha256", "expected 64 lowercase hex digits");
}

TEST_F(BadPack, TamperedModel) {
  writeFile(mDir / "detector.tflite", "abd");  // one byte changed
  expectError("models.detector.sha256", "does not match the recorded " + std::string(SHA256_ABC));
  const auto pack = load();
  ASSERT_FALSE(pack.ok());
  EXPECT_NE(pack.error().message.find((mDir / "detector.tflite").string()), std::string::npos)
      << "the message names the model file";
}

TEST_F(BadPack, LabelNotInTheLabelMap) {
  mJson["detector"]["labels"][1] = "Teapot";
  expectError("detector.labels[1]", "'Teapot' is not a class of the label map");
}

TEST_F(BadPack, BackgroundIsNotALabel) {
  mJson["detector"]["labels"][0] = "???";
  expectError("detector.labels[0]", "is not a class of the label map");
}

TEST_F(BadPack, RotationPairHalfSet) {
  mJson["tracking"]["rotation_from"] = 3;
  expectError("tracking.rotation_to", "both rotation keypoints must be -1, or neither");
}

TEST_F(BadPack, RotationKeypointOutOfRange) {
  mJson["tracking"]["rotation_from"] = 3;
  mJson["tracking"]["rotation_to"] = 9;  // 9 keypoints: indices 0..8
  expectError("tracking.rotation_to", "out of range [-1, 8]");
}

TEST_F(BadPack, KeypointCountNotTheHeads) {
  mJson["keypoints"] = 8;
  expectError("keypoints", "the objectron head takes 9");
}

TEST_F(BadPack, NotJson) {
  fs::create_directories(mDir);
  writeFile(mDir / "pack.json", "{\"format\": 1,");
  const auto pack = loadPack(mDir.string());
  ASSERT_FALSE(pack.ok());
  EXPECT_EQ(pack.error().message, (mDir / "pack.json").string() + ": not valid JSON");
}

TEST_F(BadPack, MissingDirectory) {
  const auto pack = loadPack((mRoot / "absent").string());
  ASSERT_FALSE(pack.ok());
  EXPECT_NE(pack.error().message.find("absent: not a pack directory"), std::string::npos) << pack.error().message;
}

TEST_F(BadPack, FindAndLoadNamesTheSearchPath) {
  writeFile(mDir / "pack.json", mJson.dump());
  ::setenv("MESHRT_PACK_PATH", mRoot.string().c_str(), 1);
  const auto found = findAndLoadPack("test-cup", "");
  const auto absent = findAndLoadPack("no-such-pack", "/bundled/packs");
  ::unsetenv("MESHRT_PACK_PATH");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(found->name, "test-cup");
  ASSERT_FALSE(absent.ok());
  const std::string& message = absent.error().message;
  EXPECT_EQ(message.rfind("pack 'no-such-pack': not found (searched: " + mRoot.string() + ", ", 0), 0u) << message;
  EXPECT_NE(message.find("/bundled/packs)"), std::string::npos) << message;
}

}  // namespace
}  // namespace meshrt
