// Batched TTP solver: one CUDA thread per sample, each running the MESHRT_HD per-sample solve
// of core/ttp_solver_math.h (compiled with --fmad=false, like the CPU path).
#include <cuda_runtime.h>

#include <string>

#include "core/ttp_solver_math.h"
#include "heads/ttp_solver_cuda.h"

namespace meshrt {
namespace {

__global__ void ttpSolverKernel(TtpBatchParams batch) {
  const int index = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (index >= batch.sampleCount) return;
  ttpSolveBatchSample(batch, index);
}

Error cudaFailure(const char* call, cudaError_t status) {
  return makeError(std::string("CUDA ") + call, cudaGetErrorString(status));
}

template <typename T>
cudaError_t upload(T** device, const T* host, size_t count) {
  cudaError_t status = cudaMalloc(reinterpret_cast<void**>(device), count * sizeof(T) + 1);
  if (status == cudaSuccess && host) status = cudaMemcpy(*device, host, count * sizeof(T), cudaMemcpyHostToDevice);
  return status;
}

}  // namespace

int launchTtpSolverCuda(const TtpBatchParams& batch, void* stream) {
  const int block = 64;
  const int grid = (batch.sampleCount + block - 1) / block;
  ttpSolverKernel<<<grid, block, 0, static_cast<cudaStream_t>(stream)>>>(batch);
  return static_cast<int>(cudaGetLastError());
}

Result<void> ttpSolverCudaHost(const TtpBatchParams& batch) {
  const size_t samples = static_cast<size_t>(batch.sampleCount);
  const size_t count = static_cast<size_t>(batch.count);
  TtpBatchParams device = batch;
  float* points = nullptr;
  float* visibility = nullptr;
  float* vertices = nullptr;
  float* basis = nullptr;
  float* scratch = nullptr;
  TtpState<float>* states = nullptr;
  cudaError_t status = upload(&points, batch.points, samples * count * 2);
  if (status == cudaSuccess) status = upload(&visibility, batch.visibility, samples * count);
  if (status == cudaSuccess) status = upload(&vertices, batch.vertices, count * 3);
  if (status == cudaSuccess) status = upload(&basis, batch.basis, count * 3 * static_cast<size_t>(batch.basisCount));
  if (status == cudaSuccess) status = upload<float>(&scratch, nullptr, samples * static_cast<size_t>(ttpScratchSize(batch.count, batch.basisCount)));
  if (status == cudaSuccess) status = upload(&states, batch.states, samples);
  if (status == cudaSuccess) {
    device.points = points;
    device.visibility = visibility;
    device.vertices = vertices;
    device.basis = basis;
    device.scratch = scratch;
    device.states = states;
    status = static_cast<cudaError_t>(launchTtpSolverCuda(device, nullptr));
  }
  if (status == cudaSuccess) status = cudaDeviceSynchronize();
  if (status == cudaSuccess) status = cudaMemcpy(batch.states, states, samples * sizeof(TtpState<float>), cudaMemcpyDeviceToHost);
  cudaFree(points);
  cudaFree(visibility);
  cudaFree(vertices);
  cudaFree(basis);
  cudaFree(scratch);
  cudaFree(states);
  if (status != cudaSuccess) return cudaFailure("ttp_solver", status);
  return {};
}

}  // namespace meshrt
