#include "interop/encoder_self_check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "interop/cuda_device_buffer.h"
#include "interop/cuda_external.h"

namespace meshrt::interop {
namespace {

using Tensors = std::vector<std::vector<float>>;

Result<void> checkOutputSizes(const EncoderSelfCheckParams& params) {
  if (params.outputBytes.empty()) return makeError("EncoderSelfCheckParams.outputBytes", "needs at least one output");
  for (size_t bytes : params.outputBytes) {
    if (bytes == 0 || bytes % sizeof(float) != 0) {
      return makeError("EncoderSelfCheckParams.outputBytes", "each must be a positive multiple of 4 (fp32)");
    }
  }
  return {};
}

Result<Tensors> runOnHost(const EncoderSelfCheckParams& params, const Tensors& inputs, const EncoderFn& encoder) {
  Tensors hostInputs = inputs;  // the encoder gets writable views, as in the frame loop
  Tensors outputs;
  for (size_t bytes : params.outputBytes) outputs.emplace_back(bytes / sizeof(float), 0.0f);
  std::vector<EncoderTensorView> inputViews, outputViews;
  for (auto& tensor : hostInputs) inputViews.push_back({tensor.data(), tensor.size() * sizeof(float)});
  for (auto& tensor : outputs) outputViews.push_back({tensor.data(), tensor.size() * sizeof(float)});
  EncoderCall call;
  call.path = EncoderIoPath::HostVisible;
  call.inputs = inputViews;
  call.outputs = outputViews;
  MESHRT_TRY(encoder(call));
  return outputs;
}

Result<Tensors> runOnCuda(const EncoderSelfCheckParams& params, const Tensors& inputs, const EncoderFn& encoder) {
  std::vector<CudaDeviceBuffer> deviceInputs, deviceOutputs;
  std::vector<EncoderTensorView> inputViews, outputViews;
  for (const auto& tensor : inputs) {
    auto buffer = CudaDeviceBuffer::allocate(tensor.size() * sizeof(float), "self-check input");
    if (!buffer) return buffer.error();
    MESHRT_TRY(buffer->upload(tensor.data()));
    inputViews.push_back({buffer->devicePointer(), buffer->bytes()});
    deviceInputs.push_back(std::move(*buffer));
  }
  for (size_t bytes : params.outputBytes) {
    auto buffer = CudaDeviceBuffer::allocate(bytes, "self-check output");
    if (!buffer) return buffer.error();
    outputViews.push_back({buffer->devicePointer(), buffer->bytes()});
    deviceOutputs.push_back(std::move(*buffer));
  }
  auto stream = CudaStream::create();
  if (!stream) return stream.error();
  EncoderCall call;
  call.path = EncoderIoPath::CudaZeroCopy;
  call.cudaStream = stream->handle();
  call.inputs = inputViews;
  call.outputs = outputViews;
  MESHRT_TRY(encoder(call));
  MESHRT_TRY(stream->synchronize());
  Tensors outputs;
  for (const CudaDeviceBuffer& buffer : deviceOutputs) {
    outputs.emplace_back(buffer.bytes() / sizeof(float));
    MESHRT_TRY(buffer.download(outputs.back().data()));
  }
  return outputs;
}

}  // namespace

double relativeL2Error(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double difference = 0, reference = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) return std::numeric_limits<double>::infinity();
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    difference += d * d;
    reference += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(difference) / std::max(std::sqrt(reference), 1e-12);
}

EncoderSelfCheckReport runEncoderSelfCheck(const EncoderSelfCheckParams& params, const Tensors& inputs,
                                           const EncoderFn& candidate, const EncoderFn& reference) {
  EncoderSelfCheckReport report;
  const std::string prefix = "encoder self-check: " + params.candidateName + " vs " + params.referenceName + ": ";
  const std::string fallback = "; using the " + params.referenceName + " encoder";
  if (auto valid = checkOutputSizes(params); !valid) {
    report.warning = prefix + valid.error().message + fallback;
    return report;
  }
  auto expected = runOnHost(params, inputs, reference);
  if (!expected) {
    report.warning = prefix + params.referenceName + " run failed: " + expected.error().message;
    return report;
  }
  auto actual = params.candidatePath == EncoderIoPath::CudaZeroCopy ? runOnCuda(params, inputs, candidate)
                                                                    : runOnHost(params, inputs, candidate);
  if (!actual) {
    report.warning = prefix + params.candidateName + " run failed: " + actual.error().message + fallback;
    return report;
  }
  bool agree = true;
  std::string worst;
  for (size_t i = 0; i < expected->size(); ++i) {
    const double error = relativeL2Error((*actual)[i], (*expected)[i]);
    report.relativeL2.push_back(error);
    if (!(error <= params.relativeL2Tolerance)) {
      agree = false;
      char text[160];
      std::snprintf(text, sizeof(text), "output %zu: relative L2 error %.3g > tolerance %.3g", i, error,
                    params.relativeL2Tolerance);
      worst = text;
    }
  }
  if (agree) {
    report.choice = EncoderChoice::Candidate;
  } else {
    report.warning = prefix + "outputs disagree (" + worst + ")" + fallback;
  }
  return report;
}

}  // namespace meshrt::interop
