// Lets one header declare structs that both GLSL and C++ read.
// GLSL: `uint` is native. C++: `uint` is uint32_t inside namespace meshrt::gpu.
// Keep shared structs to scalar 4-byte members and arrays of them, so std430 (push
// constants, storage buffers) and C++ agree on every offset without padding rules.
#ifndef MESHRT_GPU_TYPES_H
#define MESHRT_GPU_TYPES_H

#ifdef __cplusplus
#include <cstdint>
#define MESHRT_GPU_NAMESPACE_BEGIN namespace meshrt::gpu { using uint = std::uint32_t;
#define MESHRT_GPU_NAMESPACE_END }
#else
#define MESHRT_GPU_NAMESPACE_BEGIN
#define MESHRT_GPU_NAMESPACE_END
#endif

#endif  // MESHRT_GPU_TYPES_H
