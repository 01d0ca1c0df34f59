// The start-up self-check (DESIGN §3): the candidate encoder (CUDA) and the reference encoder
// (CPU) run once on the same input through the EncoderFn interface the frame loop uses, and
// their outputs are compared by relative L2 error. A mismatch, a failed run or a non-finite
// output selects the reference encoder and produces a warning.
#pragma once

#include <string>
#include <vector>

#include "interop/encoder_io.h"

namespace meshrt::interop {

struct EncoderSelfCheckParams {
  // Per output: ||candidate - reference||_2 / max(||reference||_2, 1e-12) must be <= this.
  double relativeL2Tolerance = 1e-3;
  // How the candidate is called: CudaZeroCopy gets CUDA device copies of the inputs and a
  // CUDA stream; HostVisible gets host memory (used to test the check with CPU callables).
  EncoderIoPath candidatePath = EncoderIoPath::CudaZeroCopy;
  std::string candidateName = "cuda";
  std::string referenceName = "cpu";
  std::vector<size_t> outputBytes;  // size of each output tensor in bytes (fp32 tensors)
};

enum class EncoderChoice { Candidate, Reference };

struct EncoderSelfCheckReport {
  EncoderChoice choice = EncoderChoice::Reference;
  std::vector<double> relativeL2;  // per output; empty when a run failed
  std::string warning;             // empty when the candidate is chosen
};

// inputs: host copies of each input tensor (fp32, layout as the encoder expects it).
// The reference always runs on host memory (EncoderIoPath::HostVisible).
EncoderSelfCheckReport runEncoderSelfCheck(const EncoderSelfCheckParams& params,
                                           const std::vector<std::vector<float>>& inputs,
                                           const EncoderFn& candidate, const EncoderFn& reference);

// ||a - b||_2 / max(||b||_2, 1e-12), accumulated in double; infinity for different sizes or
// a non-finite value in either.
double relativeL2Error(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace meshrt::interop
