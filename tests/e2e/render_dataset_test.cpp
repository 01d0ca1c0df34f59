// `meshrt render-dataset` end to end (issue 9, docs/DATASET.md): the same seed gives the same
// bytes and another seed other data; the labels agree with the images (the cameras and
// coefficients reproduce the 2D vertices, visible vertices lie on the mask, the mask is the
// projected mesh); bad arguments give one line, a non-zero exit and no output directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "core/image.h"
#include "core/mesh_io.h"
#include "core/npy_file.h"
#include "e2e/process.h"

namespace meshrt::test {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t SIZE = 128;  // the command's default image side

class RenderDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mDir = fs::temp_directory_path() / ("meshrt_render_dataset_" + std::to_string(::getpid()));
    fs::remove_all(mDir);
    // The dataset-only pack, assembled from the committed sources as tools/install_packs.py does.
    const fs::path pack = mDir / "packs" / "synthetic-bird";
    fs::create_directories(pack);
    const fs::path source = MESHRT_SOURCE_DIR;
    fs::copy_file(source / "assets/pack_sources/synthetic-bird/pack.json", pack / "pack.json");
    for (const char* name : {"synthetic_bird.obj", "synthetic_bird_basis.npy"})
      fs::copy_file(source / "assets/templates" / name, pack / name);
  }
  void TearDown() override { fs::remove_all(mDir); }

  ProcessResult render(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"render-dataset"};
    all.insert(all.end(), args.begin(), args.end());
    return runMeshrt(all, {"MESHRT_PACK_PATH=" + (mDir / "packs").string()});
  }
  fs::path mDir;
};

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<fs::path> filesUnder(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), root));
  std::sort(files.begin(), files.end());
  return files;
}

TEST_F(RenderDatasetTest, SameSeedSameBytesOtherSeedOtherData) {
  const fs::path a = mDir / "a", b = mDir / "b", c = mDir / "c";
  for (const auto& [out, seed] : {std::pair{a, "3"}, std::pair{b, "3"}, std::pair{c, "4"}}) {
    const ProcessResult result = render({"--pack", "synthetic-bird", "--seed", seed, "--count", "6", "--out", out.string()});
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }
  const std::vector<fs::path> files = filesUnder(a);
  ASSERT_EQ(files.size(), 6u * 2 + 6) << "6 images, 6 masks, 5 .npy, dataset.json";
  EXPECT_EQ(filesUnder(b), files);
  EXPECT_EQ(filesUnder(c), files);
  for (const fs::path& file : files) EXPECT_EQ(readBytes(a / file), readBytes(b / file)) << file;
  int differing = 0;
  for (const fs::path& file : files) differing += readBytes(a / file) != readBytes(c / file);
  EXPECT_GE(differing, 6 * 2 + 5) << "every image, mask and label file changes with the seed (dataset.json names it)";
  // Nothing but DIR is left beside it (the staging directory was renamed).
  for (const auto& entry : fs::directory_iterator(mDir))
    EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
}

// Rotation matrix (row-major) of a unit quaternion (w, x, y, z).
std::array<double, 9> rotationOf(const float* q) {
  const double w = q[0], x = q[1], y = q[2], z = q[3];
  return {1 - 2 * (y * y + z * z), 2 * (x * y - w * z),     2 * (x * z + w * y),
          2 * (x * y + w * z),     1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
          2 * (x * z - w * y),     2 * (y * z + w * x),     1 - 2 * (x * x + y * y)};
}

// Whether the pixel centre (cx, cy) lies inside the 2D triangle (either orientation), with
// `margin` pixels of slack (positive: grown, negative: shrunk).
bool insideTriangle(const float* a, const float* b, const float* c, double cx, double cy, double margin) {
  auto edge = [&](const float* p, const float* q) {
    const double ex = q[0] - p[0], ey = q[1] - p[1];
    const double length = std::hypot(ex, ey);
    return length > 0 ? ((cx - p[0]) * ey - (cy - p[1]) * ex) / length : 0.0;
  };
  const double e0 = edge(a, b), e1 = edge(b, c), e2 = edge(c, a);
  return (e0 <= margin && e1 <= margin && e2 <= margin) || (e0 >= -margin && e1 >= -margin && e2 >= -margin);
}

TEST_F(RenderDatasetTest, LabelsAgreeWithImagesAndMasks) {
  const fs::path out = mDir / "set";
  constexpr uint32_t COUNT = 8;
  const ProcessResult result = render({"--pack", "synthetic-bird", "--seed", "5", "--count", std::to_string(COUNT),
                                       "--out", out.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  auto mesh = readObj((mDir / "packs/synthetic-bird/synthetic_bird.obj").string());
  auto basis = readNpy((mDir / "packs/synthetic-bird/synthetic_bird_basis.npy").string());
  auto cameras = readNpy((out / "cameras.npy").string());
  auto coefficients = readNpy((out / "coefficients.npy").string());
  auto points = readNpy((out / "points.npy").string());
  auto pixels = readNpy((out / "pixels.npy").string());
  auto visibility = readNpy((out / "visibility.npy").string());
  for (const auto* loaded : {&basis, &cameras, &coefficients, &points, &pixels, &visibility})
    ASSERT_TRUE(loaded->ok()) << loaded->error().message;
  ASSERT_TRUE(mesh.ok()) << mesh.error().message;
  const uint32_t n = mesh->vertexCount(), k = 16;
  ASSERT_EQ(cameras->shape, (std::vector<uint64_t>{COUNT, 7}));
  ASSERT_EQ(coefficients->shape, (std::vector<uint64_t>{COUNT, k}));
  ASSERT_EQ(points->shape, (std::vector<uint64_t>{COUNT, n, 2}));
  ASSERT_EQ(pixels->shape, (std::vector<uint64_t>{COUNT, n, 2}));
  ASSERT_EQ(visibility->shape, (std::vector<uint64_t>{COUNT, n}));
  ASSERT_EQ(visibility->type, NpyType::Uint8);

  for (uint32_t sample = 0; sample < COUNT; ++sample) {
    SCOPED_TRACE("sample " + std::to_string(sample));
    const float* camera = &cameras->floats()[sample * 7];
    const float* c = &coefficients->floats()[sample * k];
    const float* p = &points->floats()[size_t{sample} * n * 2];
    const float* px = &pixels->floats()[size_t{sample} * n * 2];
    const uint8_t* visible = &visibility->uint8s()[size_t{sample} * n];
    EXPECT_NEAR(std::hypot(std::hypot(camera[3], camera[4]), std::hypot(camera[5], camera[6])), 1.0, 1e-5);
    EXPECT_GE(camera[3], 0.0f) << "w >= 0";
    // The camera and coefficients reproduce the 2D vertices: p = s·(R (T + B c))_xy + t.
    const std::array<double, 9> r = rotationOf(camera + 3);
    double worst = 0;
    for (uint32_t i = 0; i < n; ++i) {
      double X[3];
      for (int d = 0; d < 3; ++d) {
        X[d] = mesh->positions[3 * i + d];
        for (uint32_t j = 0; j < k; ++j) X[d] += double{basis->floats()[(i * 3 + d) * k + j]} * c[j];
      }
      for (int axis = 0; axis < 2; ++axis) {
        const double expected = camera[0] * (r[3 * axis] * X[0] + r[3 * axis + 1] * X[1] + r[3 * axis + 2] * X[2]) +
                                camera[1 + axis];
        worst = std::max(worst, std::abs(expected - p[2 * i + axis]));
        EXPECT_NEAR(px[2 * i + axis], (p[2 * i + axis] + 1.0) * 0.5 * SIZE, 1e-3);
      }
    }
    EXPECT_LT(worst, 1e-4) << "normalized units (float32 labels)";

    auto maskImage = readImage((out / "masks" / (std::string(6 - std::to_string(sample).size(), '0') +
                                                 std::to_string(sample) + ".png")).string());
    ASSERT_TRUE(maskImage.ok()) << maskImage.error().message;
    ASSERT_EQ(maskImage->width, SIZE);
    auto masked = [&](uint32_t x, uint32_t y) { return maskImage->at(x, y)[0] == 255; };
    // Visible vertices fall inside the mask.
    uint32_t visibleCount = 0;
    for (uint32_t i = 0; i < n; ++i) {
      if (!visible[i]) continue;
      ++visibleCount;
      ASSERT_TRUE(px[2 * i] >= 0 && px[2 * i] < SIZE && px[2 * i + 1] >= 0 && px[2 * i + 1] < SIZE) << "vertex " << i;
      EXPECT_TRUE(masked(static_cast<uint32_t>(px[2 * i]), static_cast<uint32_t>(px[2 * i + 1]))) << "vertex " << i;
    }
    EXPECT_GT(visibleCount, n / 10);
    EXPECT_LT(visibleCount, n) << "a closed surface always hides some vertices";
    // The mask is the projected mesh: pixel centres inside a triangle (0.05 px in from its
    // edges) are covered; centres farther than 0.05 px from every triangle are not.
    std::vector<uint8_t> surelyIn(SIZE * SIZE, 0), maybeIn(SIZE * SIZE, 0);
    for (size_t t = 0; t < mesh->triangles.size(); t += 3) {
      const float* a = px + 2 * mesh->triangles[t];
      const float* b = px + 2 * mesh->triangles[t + 1];
      const float* cc = px + 2 * mesh->triangles[t + 2];
      auto clampPixel = [](double value) { return static_cast<int>(std::clamp(value, 0.0, double{SIZE - 1})); };
      const int x0 = clampPixel(std::floor(std::min({a[0], b[0], cc[0]})) - 1);
      const int x1 = clampPixel(std::ceil(std::max({a[0], b[0], cc[0]})) + 1);
      const int y0 = clampPixel(std::floor(std::min({a[1], b[1], cc[1]})) - 1);
      const int y1 = clampPixel(std::ceil(std::max({a[1], b[1], cc[1]})) + 1);
      for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
          surelyIn[y * SIZE + x] |= insideTriangle(a, b, cc, x + 0.5, y + 0.5, -0.05);
          maybeIn[y * SIZE + x] |= insideTriangle(a, b, cc, x + 0.5, y + 0.5, 0.05);
        }
      }
    }
    uint32_t covered = 0, wrong = 0;
    for (uint32_t y = 0; y < SIZE; ++y) {
      for (uint32_t x = 0; x < SIZE; ++x) {
        covered += masked(x, y);
        if ((surelyIn[y * SIZE + x] && !masked(x, y)) || (!maybeIn[y * SIZE + x] && masked(x, y))) ++wrong;
      }
    }
    EXPECT_EQ(wrong, 0u);
    EXPECT_GT(covered, SIZE * SIZE / 50) << "the object is not lost off the image";
  }
}

TEST_F(RenderDatasetTest, BadArgumentsGiveOneLineAndWriteNothing) {
  fs::create_directories(mDir / "full");
  std::ofstream(mDir / "full" / "keep.txt") << "x";
  const std::string out = (mDir / "out").string();
  const std::vector<std::vector<std::string>> cases = {
      {"--pack", "synthetic-bird", "--seed", "1", "--count", "2"},                       // no --out
      {"--pack", "synthetic-bird", "--seed", "1", "--count", "0", "--out", out},         // count out of range
      {"--pack", "synthetic-bird", "--seed", "x", "--count", "2", "--out", out},         // not an integer
      {"--pack", "no-such-pack", "--seed", "1", "--count", "2", "--out", out},           // unknown pack
      {"--pack", "synthetic-bird", "--seed", "1", "--count", "2", "--out", (mDir / "full").string()},
      {"--pack", "synthetic-bird", "--seed", "1", "--count", "2", "--out", (mDir / "none/out").string()},
      {"--pack", "synthetic-bird", "--seed", "1", "--count", "2", "--out", out, "--fast"},  // unknown flag
  };
  for (const auto& args : cases) {
    const ProcessResult result = render(args);
    EXPECT_NE(result.exitCode, 0) << args.back();
    EXPECT_EQ(result.errLines().size(), 1u) << result.err;
    EXPECT_FALSE(fs::exists(out)) << args.back();
  }
  EXPECT_TRUE(fs::exists(mDir / "full" / "keep.txt"));
  // A broken basis (wrong shape) is named with its file and field.
  const fs::path broken = mDir / "packs" / "synthetic-bird" / "synthetic_bird_basis.npy";
  fs::remove(broken);
  std::ofstream(broken, std::ios::binary) << "not an npy";
  const ProcessResult result = render({"--pack", "synthetic-bird", "--seed", "1", "--count", "2", "--out", out});
  EXPECT_EQ(result.exitCode, 2);
  ASSERT_EQ(result.errLines().size(), 1u) << result.err;
  EXPECT_NE(result.err.find("basis.path"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(out));
}

// A run killed half-way leaves no DIR (only its hidden staging directory), and the next run
// removes that leftover and writes DIR.
TEST_F(RenderDatasetTest, KilledRunLeavesNoOutputAndTheNextRunCleansUp) {
  const fs::path out = mDir / "killed";
  const ProcessResult killed = runProgram({"env", "MESHRT_PACK_PATH=" + (mDir / "packs").string(), "timeout", "-s",
                                           "KILL", "1", MESHRT_BINARY, "render-dataset", "--pack", "synthetic-bird",
                                           "--seed", "1", "--count", "100000", "--out", out.string()});
  EXPECT_NE(killed.exitCode, 0) << "100,000 samples do not finish in a second";
  EXPECT_FALSE(fs::exists(out));
  int leftovers = 0;
  for (const auto& entry : fs::directory_iterator(mDir)) leftovers += entry.path().filename().string().rfind(".killed.partial-", 0) == 0;
  EXPECT_LE(leftovers, 1) << "none when killed before the staging directory was made (a slow start)";
  const ProcessResult result = render({"--pack", "synthetic-bird", "--seed", "1", "--count", "2", "--out", out.string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  if (leftovers == 1) {
    EXPECT_NE(result.out.find("left by an interrupted run"), std::string::npos) << result.out;
  }
  EXPECT_TRUE(fs::exists(out / "dataset.json"));
  for (const auto& entry : fs::directory_iterator(mDir)) EXPECT_NE(entry.path().filename().string().front(), '.');
}

// `meshrt info --json` lists the dataset-only pack without an error, marked as such.
TEST_F(RenderDatasetTest, InfoListsTheDatasetOnlyPack) {
  const ProcessResult result = runMeshrt({"info", "--json"}, {"MESHRT_PACK_PATH=" + (mDir / "packs").string()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto info = nlohmann::json::parse(result.out, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << result.out;
  bool found = false;
  for (const auto& pack : info["packs"]) {
    if (pack["name"] != "synthetic-bird" || pack["path"] != (mDir / "packs" / "synthetic-bird").string()) continue;
    found = true;
    EXPECT_EQ(pack["head"], "ttp");
    EXPECT_FALSE(pack.contains("error")) << pack.dump();
    EXPECT_EQ(pack.value("dataset_only", false), true) << pack.dump();
  }
  EXPECT_TRUE(found) << result.out;
}

}  // namespace
}  // namespace meshrt::test
