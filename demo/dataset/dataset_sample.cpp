#include "dataset/dataset_sample.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/so3_math.h"
#include "dataset/dataset_random.h"

namespace meshrt::dataset {
namespace {

constexpr double DEG = std::numbers::pi / 180.0;

std::array<float, 3> randomColour(SampleRandom& random) {
  return {static_cast<float>(random.uniform(0.05, 0.95)), static_cast<float>(random.uniform(0.05, 0.95)),
          static_cast<float>(random.uniform(0.05, 0.95))};
}

// The camera looks at the object's origin from unit direction `d` (object frame, toward the
// camera), the object's +y appearing up, then rolled by `roll` about the viewing axis.
std::array<double, 9> lookRotation(const double d[3], double roll) {
  const double forward[3] = {-d[0], -d[1], -d[2]};  // camera +z in the object frame
  // Camera +y (down): −y_object made orthogonal to forward.
  double down[3] = {0, -1, 0};
  const double along = down[0] * forward[0] + down[1] * forward[1] + down[2] * forward[2];
  for (int k = 0; k < 3; ++k) down[k] -= along * forward[k];
  const double length = std::sqrt(down[0] * down[0] + down[1] * down[1] + down[2] * down[2]);
  for (double& value : down) value /= length;
  // Camera +x = y × z (right-handed: x × y = z).
  const double right[3] = {down[1] * forward[2] - down[2] * forward[1], down[2] * forward[0] - down[0] * forward[2],
                           down[0] * forward[1] - down[1] * forward[0]};
  const double c = std::cos(roll), s = std::sin(roll);
  std::array<double, 9> r{};
  for (int k = 0; k < 3; ++k) {  // rows: camera axes; the roll turns x and y about z
    r[k] = c * right[k] - s * down[k];
    r[3 + k] = s * right[k] + c * down[k];
    r[6 + k] = forward[k];
  }
  return r;
}

}  // namespace

std::array<double, 4> quaternionFromRotation(const std::array<double, 9>& r) {
  std::array<double, 4> q{};
  meshrt::quaternionFromRotation(r.data(), q.data());
  return q;
}

std::string sampleFileName(uint32_t index) {
  char name[16];
  std::snprintf(name, sizeof(name), "%06u.png", index);
  return name;
}

DatasetSample drawSample(const DatasetSampling& sampling, uint64_t seed, uint64_t index, uint32_t basisCount) {
  SampleRandom random(seed, index);
  DatasetSample sample;
  // Uniform over the hemisphere band: the height sin(elevation) is uniform (Archimedes).
  const double azimuth = random.uniform(0.0, 2.0 * std::numbers::pi);
  const double height = random.uniform(0.0, std::sin(sampling.maxElevationDeg * DEG));
  const double horizontal = std::sqrt(1.0 - height * height);
  const double direction[3] = {horizontal * std::sin(azimuth), height, horizontal * std::cos(azimuth)};
  const double roll = random.uniform(-sampling.maxRollDeg, sampling.maxRollDeg) * DEG;
  sample.rotation = lookRotation(direction, roll);
  sample.quaternion = quaternionFromRotation(sample.rotation);
  sample.scale = random.uniform(sampling.minScale, sampling.maxScale);
  sample.translation = {random.uniform(-sampling.maxTranslation, sampling.maxTranslation),
                        random.uniform(-sampling.maxTranslation, sampling.maxTranslation)};
  sample.coefficients.resize(basisCount);
  for (float& c : sample.coefficients) c = static_cast<float>(sampling.coefficientSigma * random.gaussian());

  TextureParams& texture = sample.texture;
  texture.base = randomColour(random);
  texture.stripe = randomColour(random);
  texture.stripeAngle = static_cast<float>(random.uniform(0.0, std::numbers::pi));
  texture.stripeFrequency = static_cast<float>(random.uniform(2.0, 12.0));
  texture.stripeDuty = random.uniform() < 0.3 ? 0.0f : static_cast<float>(random.uniform(0.2, 0.6));
  texture.noiseAmplitude = static_cast<float>(random.uniform(0.0, 0.3));
  texture.noiseFrequency = static_cast<float>(random.uniform(4.0, 24.0));
  texture.noiseSeed = random.bits();

  BackgroundParams& background = sample.background;
  background.from = randomColour(random);
  background.to = randomColour(random);
  background.angle = static_cast<float>(random.uniform(0.0, 2.0 * std::numbers::pi));
  background.noiseAmplitude = static_cast<float>(random.uniform(0.0, 0.4));
  background.noiseFrequency = static_cast<float>(random.uniform(2.0, 16.0));
  background.noiseSeed = random.bits();

  // Toward the light: the camera's side of the object (z < 0), at most 75° off the viewing axis.
  const double lightAzimuth = random.uniform(0.0, 2.0 * std::numbers::pi);
  const double lightCos = random.uniform(std::cos(75.0 * DEG), 1.0);
  const double lightSin = std::sqrt(1.0 - lightCos * lightCos);
  sample.light.direction = {static_cast<float>(lightSin * std::cos(lightAzimuth)),
                            static_cast<float>(lightSin * std::sin(lightAzimuth)), static_cast<float>(-lightCos)};
  sample.light.ambient = static_cast<float>(random.uniform(0.2, 0.6));
  return sample;
}

}  // namespace meshrt::dataset
