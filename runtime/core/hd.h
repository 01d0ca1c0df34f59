// MESHRT_HD marks per-element math that runs on the host and in CUDA kernels alike, so the
// CPU tests exercise exactly the code the GPU runs (DESIGN §3).
#pragma once

#if defined(__CUDACC__)
#define MESHRT_HD __host__ __device__
#else
#define MESHRT_HD
#endif
