// The batched CUDA TTP solver (kernels/ttp_solver.cu), declared only when the CUDA backend is
// compiled (MESHRT_HAVE_CUDA=1). One thread per sample runs ttpSolveBatchSample() from
// core/ttp_solver_math.h, the function ttpSolveBatchHost() runs on the CPU.
#pragma once

#include "core/ttp_solver_math.h"
#include "meshrt/result.h"

#if MESHRT_HAVE_CUDA
namespace meshrt {

// Launches the kernel; every pointer in `batch` is a device pointer. `stream` is a
// cudaStream_t. Returns the launch's cudaError_t as an int (0 = success).
int launchTtpSolverCuda(const TtpBatchParams& batch, void* stream);

// Host convenience for tests: `batch` holds host pointers; copies them to the device, runs
// the kernel, copies the states back into batch.states.
Result<void> ttpSolverCudaHost(const TtpBatchParams& batch);

}  // namespace meshrt
#endif
