// Input validation and the CPU reference of the UV splat stage: lookup table, forward gather,
// per-texel backward (fixed-point sums), fusion and sampling. Per texel and channel, the sums run over
// the lookup-table entries in the order and with the expressions of shaders/uv_splat_*.comp, so the
// two agree to rounding (in practice bit for bit).
#include <algorithm>
#include <cmath>
#include <string>

#include "core/uv_splat_math.h"
#include "stages/uv_splat.h"

namespace meshrt {
namespace {

Error fieldError(const std::string& field, const std::string& reason) { return makeError("uv_splat: " + field, reason); }

std::string pixelName(const char* field, size_t pixel, uint32_t width) {
  return std::string(field) + "[(" + std::to_string(pixel / width) + ", " + std::to_string(pixel % width) + ")]";
}

// Lookup table: every used quad, in ascending index order, inserted into its candidate texels.
template <typename T>
std::vector<uint32_t> buildLut(const UvSplatConfig& config, const T* uvs, std::span<const uint8_t> mask,
                               uint64_t& dropped) {
  const uint32_t W = config.imageWidth, H = config.imageHeight, Wt = config.textureWidth, Ht = config.textureHeight;
  const uint32_t L = config.lutCapacity;
  std::vector<uint32_t> lut(size_t{Wt} * Ht * L, UV_SPLAT_NO_QUAD);
  dropped = 0;
  auto onObject = [&](uint32_t pixel) { return mask[pixel] != 0; };
  for (uint32_t qy = 0; qy + 1 < H; ++qy) {
    for (uint32_t qx = 0; qx + 1 < W; ++qx) {
      uvsplat::Quad<T> quad;
      if (!uvsplat::loadQuad(uvs, 2, 0, onObject, qx, qy, W, Wt, Ht, T(config.maxQuadExtent), quad)) continue;
      const uint32_t key = qy * (W - 1) + qx;
      const uvsplat::TexelRange range = uvsplat::candidateTexels(quad, Wt, Ht);
      for (int32_t j = range.j0; j <= range.j1; ++j) {
        for (int32_t i = range.i0; i <= range.i1; ++i) {
          uvsplat::QuadPoint<T> point;
          if (!uvsplat::inverseBilinear(quad, T(i), T(j), point)) continue;
          if (!uvsplat::lutInsert(&lut[(size_t(j) * Wt + i) * L], L, key)) ++dropped;
        }
      }
    }
  }
  return lut;
}

// Texels per block of the reference loops below. A block's lookup-table entries are resolved once
// (quad, inverse bilinear point, corner weights), then each channel plane is swept over the block:
// the planes are C·Ht·Wt floats apart, and a loop over c inside a loop over texels touches a
// different page per channel (a 1024² texture's planes are 4 MiB apart), which made the
// reference, not the GPU, the cost of the C = 128 tests. Per texel and channel the sums are the
// same, in the same order: results are unchanged bit for bit.
constexpr size_t REFERENCE_TEXEL_BLOCK = 1024;

// One lookup-table entry of one texel that the forward gather adds: its quad's corner pixels
// (row-major pixel indices) and their bilinear weights at the texel.
template <typename T>
struct GatherEntry {
  size_t corner[4];
  T w[4];
};

// Forward gather (eq. 1 + averaging), per texel over its lookup-table entries in order.
template <typename T>
void gather(const UvSplatConfig& config, const T* features, const T* uvs, const std::vector<uint32_t>& lut,
            std::vector<T>& texture, std::vector<T>& weight) {
  const uint32_t W = config.imageWidth, H = config.imageHeight, Wt = config.textureWidth, Ht = config.textureHeight;
  const uint32_t L = config.lutCapacity, C = config.channels;
  const size_t pixels = size_t{W} * H, texels = size_t{Wt} * Ht;
  texture.assign(texels * C, T(0));
  weight.assign(texels, T(0));
  auto always = [](uint32_t) { return true; };  // the table holds used quads only
  std::vector<GatherEntry<T>> entries;
  std::vector<size_t> firstEntry(REFERENCE_TEXEL_BLOCK + 1);  // texel i's entries: [first[i], first[i + 1])
  for (size_t block = 0; block < texels; block += REFERENCE_TEXEL_BLOCK) {
    const size_t count = std::min(REFERENCE_TEXEL_BLOCK, texels - block);
    entries.clear();
    for (size_t i = 0; i < count; ++i) {
      const size_t texel = block + i;
      firstEntry[i] = entries.size();
      const T px = T(texel % Wt), py = T(texel / Wt);
      T weightSum = 0;
      for (uint32_t slot = 0; slot < L; ++slot) {
        const uint32_t key = lut[texel * L + slot];
        if (key == UV_SPLAT_NO_QUAD) break;
        const uint32_t qx = key % (W - 1), qy = key / (W - 1);
        uvsplat::Quad<T> quad;
        uvsplat::QuadPoint<T> point;
        if (!uvsplat::loadQuad(uvs, 2, 0, always, qx, qy, W, Wt, Ht, T(INFINITY), quad)) continue;
        if (!uvsplat::inverseBilinear(quad, px, py, point)) continue;
        GatherEntry<T>& entry = entries.emplace_back();
        uvsplat::cornerWeights(point, entry.w);
        for (int k = 0; k < 4; ++k) entry.corner[k] = uvsplat::cornerPixel(qx, qy, W, k);
        weightSum += entry.w[0] + entry.w[1] + entry.w[2] + entry.w[3];
      }
      weight[texel] = weightSum;
    }
    firstEntry[count] = entries.size();
    for (uint32_t c = 0; c < C; ++c) {
      const T* F = features + c * pixels;
      T* plane = texture.data() + c * texels + block;
      for (size_t i = 0; i < count; ++i) {
        T value = 0;
        for (size_t e = firstEntry[i]; e < firstEntry[i + 1]; ++e) {
          const GatherEntry<T>& entry = entries[e];
          value += entry.w[0] * F[entry.corner[0]] + entry.w[1] * F[entry.corner[1]] +
                   entry.w[2] * F[entry.corner[2]] + entry.w[3] * F[entry.corner[3]];
        }
        const T weightSum = weight[block + i];
        plane[i] = weightSum > T(0) ? value / weightSum : T(0);
      }
    }
  }
}

// One lookup-table entry of one texel that the backward differentiates (float, as the shader).
struct BackwardEntry {
  size_t texelInBlock;
  size_t corner[4];
  float w[4];
  float share[4];  // w_k / ŵ: corner k's share of G
  float dw[4];     // Σ_c G_c F_c(p_k), over the channels swept so far
  uvsplat::Quad<float> quad;
  uvsplat::QuadPoint<float> point;
};

}  // namespace

Result<void> validateUvSplatConfig(const UvSplatConfig& config) {
  if (config.imageWidth == 0 || config.imageHeight == 0) return fieldError("config.imageWidth/imageHeight", "must be > 0");
  if (config.imageWidth > UV_SPLAT_MAX_SIZE || config.imageHeight > UV_SPLAT_MAX_SIZE) {
    return fieldError("config.imageWidth/imageHeight", "must be <= " + std::to_string(UV_SPLAT_MAX_SIZE));
  }
  if (config.channels == 0 || config.channels > UV_SPLAT_MAX_CHANNELS) {
    return fieldError("config.channels", "C = " + std::to_string(config.channels) + ", must be 1..128");
  }
  if (config.textureWidth == 0 || config.textureHeight == 0) {
    return fieldError("config.textureWidth/textureHeight", "texture size must be > 0");
  }
  if (config.textureWidth > UV_SPLAT_MAX_SIZE || config.textureHeight > UV_SPLAT_MAX_SIZE) {
    return fieldError("config.textureWidth/textureHeight", "must be <= " + std::to_string(UV_SPLAT_MAX_SIZE));
  }
  if (!std::isfinite(config.maxQuadExtent) || !(config.maxQuadExtent > 0)) {
    return fieldError("config.maxQuadExtent", "must be finite and > 0 (UV units)");
  }
  if (config.lutCapacity == 0 || config.lutCapacity > UV_SPLAT_MAX_LUT) {
    return fieldError("config.lutCapacity", std::to_string(config.lutCapacity) + ", must be 1..32");
  }
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  const uint64_t texels = uint64_t{config.textureWidth} * config.textureHeight;
  if (texels * config.lutCapacity > UINT32_MAX || texels * config.channels > UINT32_MAX) {
    return fieldError("config.textureWidth/textureHeight", "texture x channels (or x lutCapacity) exceeds 2^32 entries");
  }
  if (pixels * config.channels > UINT32_MAX) return fieldError("config.imageWidth/imageHeight", "image x channels exceeds 2^32");
  return {};
}

Result<void> validateUvSplatInputs(const UvSplatConfig& config, const UvSplatInputs& inputs) {
  MESHRT_TRY(validateUvSplatConfig(config));
  const uint64_t pixels = uint64_t{config.imageWidth} * config.imageHeight;
  if (inputs.features.size() != pixels * config.channels) {
    return fieldError("features", std::to_string(inputs.features.size()) + " floats, expected C*H*W = " +
                                      std::to_string(pixels * config.channels));
  }
  if (inputs.uvs.size() != pixels * 2) {
    return fieldError("uvs", std::to_string(inputs.uvs.size()) + " floats, expected H*W*2 = " + std::to_string(pixels * 2));
  }
  if (inputs.mask.size() != pixels) {
    return fieldError("mask", std::to_string(inputs.mask.size()) + " bytes, expected H*W = " + std::to_string(pixels));
  }
  for (size_t p = 0; p < pixels; ++p) {
    if (inputs.mask[p] > 1) return fieldError(pixelName("mask", p, config.imageWidth), "must be 0 or 1");
    if (inputs.mask[p] && (!std::isfinite(inputs.uvs[2 * p]) || !std::isfinite(inputs.uvs[2 * p + 1]))) {
      return fieldError(pixelName("uvs", p, config.imageWidth), "not finite on a masked pixel");
    }
  }
  return {};
}

Result<UvSplatForward> uvSplatForwardReference(const UvSplatConfig& config, const UvSplatInputs& inputs) {
  MESHRT_TRY(validateUvSplatInputs(config, inputs));
  UvSplatForward out;
  out.lut = buildLut(config, inputs.uvs.data(), inputs.mask, out.droppedEntries);
  gather(config, inputs.features.data(), inputs.uvs.data(), out.lut, out.texture, out.weight);
  if (!config.returnLookupTable) out.lut = {};
  return out;
}

UvSplatForwardDouble uvSplatForwardDouble(const UvSplatConfig& config, std::span<const double> features,
                                          std::span<const double> uvs, std::span<const uint8_t> mask) {
  UvSplatForwardDouble out;
  uint64_t dropped = 0;
  out.lut = buildLut(config, uvs.data(), mask, dropped);
  gather(config, features.data(), uvs.data(), out.lut, out.texture, out.weight);
  return out;
}

Result<UvSplatGradients> uvSplatBackwardReference(const UvSplatConfig& config, const UvSplatInputs& inputs,
                                                  const UvSplatForward& forward, std::span<const float> textureGrad) {
  MESHRT_TRY(validateUvSplatInputs(config, inputs));
  const uint32_t W = config.imageWidth, H = config.imageHeight, Wt = config.textureWidth, Ht = config.textureHeight;
  const uint32_t L = config.lutCapacity, C = config.channels;
  const size_t pixels = size_t{W} * H, texels = size_t{Wt} * Ht;
  // forward.texture is not read: its term cancels from the UV gradient (below).
  if (forward.weight.size() != texels || forward.lut.size() != texels * L) {
    return fieldError("forward", "weight/lut sizes do not match the config");
  }
  if (textureGrad.size() != texels * C) {
    return fieldError("textureGrad", std::to_string(textureGrad.size()) + " floats, expected C*Ht*Wt = " +
                                         std::to_string(texels * C));
  }
  // Per texel, per lookup-table entry, in fixed point like the shader (order-independent sums).
  std::vector<int64_t> featureSum(pixels * C, 0), uvSum(pixels * 2, 0);
  const float* F = inputs.features.data();
  auto always = [](uint32_t) { return true; };
  std::vector<BackwardEntry> entries;
  for (size_t block = 0; block < texels; block += REFERENCE_TEXEL_BLOCK) {
    const size_t count = std::min(REFERENCE_TEXEL_BLOCK, texels - block);
    entries.clear();
    for (size_t i = 0; i < count; ++i) {
      const size_t texel = block + i;
      const float weightSum = forward.weight[texel];
      if (!(weightSum > 0.0f)) continue;
      const float px = float(texel % Wt), py = float(texel / Wt);
      for (uint32_t slot = 0; slot < L; ++slot) {
        const uint32_t key = forward.lut[texel * L + slot];
        if (key == UV_SPLAT_NO_QUAD) break;
        const uint32_t qx = key % (W - 1), qy = key / (W - 1);
        BackwardEntry entry{};
        if (!uvsplat::loadQuad(inputs.uvs.data(), 2, 0, always, qx, qy, W, Wt, Ht, INFINITY, entry.quad)) continue;
        if (!uvsplat::inverseBilinear(entry.quad, px, py, entry.point)) continue;
        entry.texelInBlock = i;
        uvsplat::cornerWeights(entry.point, entry.w);
        for (int k = 0; k < 4; ++k) entry.corner[k] = uvsplat::cornerPixel(qx, qy, W, k);
        for (int k = 0; k < 4; ++k) entry.share[k] = entry.w[k] / weightSum;
        entries.push_back(entry);
      }
    }
    for (uint32_t c = 0; c < C; ++c) {
      const float* G = textureGrad.data() + c * texels + block;
      const size_t plane = c * pixels;
      for (BackwardEntry& entry : entries) {
        const float g = G[entry.texelInBlock];
        for (int k = 0; k < 4; ++k) featureSum[plane + entry.corner[k]] += uvsplat::toFixedPoint(entry.share[k] * g);
        for (int k = 0; k < 4; ++k) entry.dw[k] += g * F[plane + entry.corner[k]];
      }
    }
    // dw_k = Σ_c G_c F_c(p_k) / ŵ. ∂L/∂w_k also has the term −Σ_c G_c F̂_c / ŵ, the same for the
    // four corners; ∂w/∂s and ∂w/∂t each sum to 0 over k, so it cancels exactly from the UV
    // gradient and is left out (docs/UV_SPLAT.md "Backward"), as in the shader.
    for (BackwardEntry& entry : entries) {
      const float weightSum = forward.weight[block + entry.texelInBlock];
      for (int k = 0; k < 4; ++k) entry.dw[k] = entry.dw[k] / weightSum;
      float lambdaX, lambdaY;
      if (!uvsplat::positionGradient(entry.quad, entry.point, entry.dw, lambdaX, lambdaY)) continue;
      for (int k = 0; k < 4; ++k) {
        uvSum[2 * entry.corner[k]] += uvsplat::toFixedPoint(entry.w[k] * lambdaX * float(Wt));
        uvSum[2 * entry.corner[k] + 1] += uvsplat::toFixedPoint(entry.w[k] * lambdaY * float(Ht));
      }
    }
  }
  UvSplatGradients grads;
  grads.features.resize(pixels * C);
  grads.uvs.resize(pixels * 2);
  for (size_t i = 0; i < featureSum.size(); ++i) grads.features[i] = uvsplat::fromFixedPoint(featureSum[i]);
  for (size_t i = 0; i < uvSum.size(); ++i) grads.uvs[i] = uvsplat::fromFixedPoint(uvSum[i]);
  return grads;
}

Result<void> uvSplatFuseReference(UvSplatFusionState& state, uint32_t channels, uint32_t textureWidth,
                                  uint32_t textureHeight, std::span<const float> frameTexture,
                                  std::span<const float> frameConfidence, float maxConfidence, bool reset) {
  const size_t texels = size_t{textureWidth} * textureHeight;
  if (channels == 0 || channels > UV_SPLAT_MAX_CHANNELS) return fieldError("fuse: channels", "must be 1..128");
  if (texels == 0) return fieldError("fuse: textureWidth/textureHeight", "texture size must be > 0");
  if (!(maxConfidence > 0) || !std::isfinite(maxConfidence)) return fieldError("fuse: maxConfidence", "must be finite and > 0");
  if (frameTexture.size() != texels * channels) return fieldError("fuse: frameTexture", "expected C*Ht*Wt floats");
  if (frameConfidence.size() != texels) return fieldError("fuse: frameConfidence", "expected Ht*Wt floats");
  if (reset || state.texture.size() != texels * channels || state.confidence.size() != texels) {
    if (!reset && (!state.texture.empty() || !state.confidence.empty())) {
      return fieldError("fuse: state", "sizes do not match C*Ht*Wt and Ht*Wt (reset it)");
    }
    state.texture.assign(texels * channels, 0.0f);
    state.confidence.assign(texels, 0.0f);
  }
  for (size_t texel = 0; texel < texels; ++texel) {
    const float kappa = frameConfidence[texel];
    if (!(kappa > 0.0f)) continue;
    const float previous = state.confidence[texel];
    const float total = previous + kappa;
    for (uint32_t c = 0; c < channels; ++c) {
      float& value = state.texture[c * texels + texel];
      value = (previous * value + kappa * frameTexture[c * texels + texel]) / total;
    }
    state.confidence[texel] = std::min(total, maxConfidence);
  }
  return {};
}

Result<std::vector<float>> uvSplatSampleReference(const UvSplatConfig& config, std::span<const float> texture,
                                                  std::span<const float> uvs, std::span<const uint8_t> mask) {
  const uint32_t W = config.imageWidth, H = config.imageHeight, Wt = config.textureWidth, Ht = config.textureHeight;
  const uint32_t C = config.channels;
  const size_t pixels = size_t{W} * H, texels = size_t{Wt} * Ht;
  if (pixels == 0) return fieldError("sample: config.imageWidth/imageHeight", "must be > 0");
  if (texels == 0) return fieldError("sample: config.textureWidth/textureHeight", "texture size must be > 0");
  if (C == 0 || C > UV_SPLAT_MAX_CHANNELS) return fieldError("sample: config.channels", "must be 1..128");
  if (texture.size() != texels * C) return fieldError("sample: texture", "expected C*Ht*Wt floats");
  if (uvs.size() != pixels * 2) return fieldError("sample: uvs", "expected H*W*2 floats");
  if (mask.size() != pixels) return fieldError("sample: mask", "expected H*W bytes");
  std::vector<float> image(pixels * C, 0.0f);
  for (size_t p = 0; p < pixels; ++p) {
    if (!mask[p]) continue;
    if (!std::isfinite(uvs[2 * p]) || !std::isfinite(uvs[2 * p + 1])) {
      return fieldError(pixelName("sample: uvs", p, W), "not finite on a masked pixel");
    }
    const uvsplat::BilinearTaps taps = uvsplat::bilinearTaps(uvs[2 * p], uvs[2 * p + 1], Wt, Ht);
    for (uint32_t c = 0; c < C; ++c) {
      const float* plane = texture.data() + c * texels;
      image[c * pixels + p] = uvsplat::bilinearSample(plane, taps);
    }
  }
  return image;
}

}  // namespace meshrt
