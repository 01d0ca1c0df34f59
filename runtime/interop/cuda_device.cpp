#include "interop/cuda_device.h"

#include <cstring>

#if MESHRT_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace meshrt {

CudaDeviceReport probeCudaDevice(const std::array<uint8_t, 16>& vulkanDeviceUuid) {
  CudaDeviceReport report;
#if MESHRT_HAVE_CUDA
  report.compiled = true;
  int runtimeVersion = 0;
  if (cudaRuntimeGetVersion(&runtimeVersion) == cudaSuccess) {
    report.runtimeVersion = std::to_string(runtimeVersion / 1000) + "." + std::to_string((runtimeVersion % 1000) / 10);
  }
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    report.reason = std::string("no CUDA device (") + (status != cudaSuccess ? cudaGetErrorString(status) : "count is 0") + ")";
    return report;
  }
  report.deviceFound = true;
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp properties{};
    if (cudaGetDeviceProperties(&properties, i) != cudaSuccess) continue;
    if (i == 0) report.deviceName = properties.name;
    if (std::memcmp(properties.uuid.bytes, vulkanDeviceUuid.data(), 16) == 0) {
      report.deviceIndex = i;
      report.deviceName = properties.name;
      report.uuidMatchesVulkan = true;
      return report;
    }
  }
  report.reason = "no CUDA device has the Vulkan device's UUID (different GPU, or the Vulkan device is not NVIDIA)";
#else
  (void)vulkanDeviceUuid;
  report.reason = "CUDA backend not compiled (no CUDA toolkit at build time)";
#endif
  return report;
}

}  // namespace meshrt
