// A MobileNetV2-style encoder built in C++ (no model file needed): stem conv 3x3/2 + BN + ReLU6,
// inverted residual blocks (1x1 expand + BN + ReLU6, 3x3 depthwise + BN + ReLU6, 1x1 project + BN,
// residual Add when shapes match), 1x1 head conv, global average pool, fully connected. Written
// unfused, the way an ONNX export arrives, so the passes have work to do. Seeded weights.
#pragma once

#include "nn/graph_builder.h"

namespace meshrt::test {

struct InvertedResidual {
  int64_t outChannels;
  int32_t stride;
  int64_t expansion;
};

inline nn::TensorId mobileNetConvBn(GraphBuilder& b, nn::TensorId x, int64_t inC, int64_t outC, int64_t kernel,
                                    int32_t stride, int32_t groups, bool relu6, uint64_t& seed) {
  nn::Conv2DAttributes conv;
  conv.strideH = conv.strideW = stride;
  conv.groups = groups;
  conv.padding.same = kernel > 1;
  const float scale = 1.0f / std::sqrt(static_cast<float>(inC / groups * kernel * kernel));
  const nn::TensorId w = b.randomConstant({outC, inC / groups, kernel, kernel}, seed++, 1.7f * scale);
  const nn::TensorId y = b.node(nn::OpType::Conv2D, {x, w, nn::NO_TENSOR}, conv);
  const nn::TensorId bn = b.node(nn::OpType::BatchNormalization,
                                 {y, b.randomConstant({outC}, seed++, 0.2f, 1.0f), b.randomConstant({outC}, seed++, 0.1f),
                                  b.randomConstant({outC}, seed++, 0.1f), b.randomConstant({outC}, seed++, 0.2f, 1.0f)},
                                 nn::BatchNormAttributes{1e-5f});
  if (!relu6) return bn;
  return b.node(nn::OpType::Activation, {bn}, nn::ActivationAttributes{{nn::ActivationType::Relu6}});
}

// Input [1][3][size][size]; output [1][classes]. Spatial size must be divisible by 16.
inline GraphBuilder makeMobileNetLike(int64_t size, int64_t classes, uint64_t seed) {
  GraphBuilder b;
  nn::TensorId x = b.input({1, 3, size, size});
  x = mobileNetConvBn(b, x, 3, 16, 3, 2, 1, true, seed);
  int64_t channels = 16;
  const InvertedResidual blocks[] = {{16, 1, 1}, {24, 2, 6}, {24, 1, 6}, {32, 2, 6}, {32, 1, 6}, {64, 2, 6}, {64, 1, 6}};
  for (const InvertedResidual& block : blocks) {
    const int64_t hidden = channels * block.expansion;
    nn::TensorId h = x;
    if (block.expansion != 1) h = mobileNetConvBn(b, h, channels, hidden, 1, 1, 1, true, seed);
    h = mobileNetConvBn(b, h, hidden, hidden, 3, block.stride, static_cast<int32_t>(hidden), true, seed);
    h = mobileNetConvBn(b, h, hidden, block.outChannels, 1, 1, 1, false, seed);
    if (block.stride == 1 && block.outChannels == channels) h = b.node(nn::OpType::Add, {x, h}, nn::BinaryAttributes{});
    x = h;
    channels = block.outChannels;
  }
  x = mobileNetConvBn(b, x, channels, 256, 1, 1, 1, true, seed);
  const nn::TensorId pooled = b.node(nn::OpType::GlobalAveragePool, {x}, nn::GlobalAveragePoolAttributes{true});
  const nn::TensorId flat = b.node(nn::OpType::Reshape, {pooled}, nn::ReshapeAttributes{{1, -1}});
  b.output(b.node(nn::OpType::FullyConnected, {flat, b.randomConstant({classes, 256}, seed++, 0.1f), b.randomConstant({classes}, seed++)},
                  nn::FullyConnectedAttributes{}));
  return b;
}

}  // namespace meshrt::test
