// The Vulkan context: instance, physical device, device and one compute queue.
// Either meshrt creates them (Context::create) or it adopts the application's handles
// without taking ownership (Context::adopt), for embedding in an AR app (DESIGN §9).
#pragma once

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "meshrt/result.h"
#include "vk/validation.h"

namespace meshrt::vk {

// Optional capabilities meshrt uses; each is enabled at device creation when supported.
struct DeviceFeatures {
  bool timelineSemaphore = false;     // core 1.2; required
  bool int64 = false;                 // shaderInt64
  bool int64Atomics = false;          // shaderBufferInt64Atomics (raster depth|id atomicMin)
  bool float32Atomics = false;        // VK_EXT_shader_atomic_float: shaderBufferFloat32Atomics
  bool float32AtomicAdd = false;      // VK_EXT_shader_atomic_float: shaderBufferFloat32AtomicAdd
  bool externalMemoryFd = false;      // VK_KHR_external_memory_fd (CUDA interop)
  bool externalSemaphoreFd = false;   // VK_KHR_external_semaphore_fd (CUDA interop)
  bool calibratedTimestamps = false;  // VK_EXT_calibrated_timestamps with CLOCK_MONOTONIC
  bool hostQueryReset = false;        // core 1.2
};

struct DeviceInfo {
  std::string name;              // deviceName, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"
  std::string type;              // "discrete", "integrated", "virtual", "cpu", "other"
  std::string driverName;        // VkPhysicalDeviceDriverProperties::driverName
  std::string driverInfo;        // VkPhysicalDeviceDriverProperties::driverInfo
  uint32_t apiVersion = 0;       // VK_MAKE_API_VERSION encoded
  uint32_t driverVersion = 0;    // vendor-specific encoding
  uint32_t vendorId = 0;
  std::array<uint8_t, 16> deviceUuid{};  // matched against the CUDA device UUID (DESIGN §3)
  double timestampPeriodNs = 0;  // nanoseconds per timestamp tick
  uint32_t timestampValidBits = 0;  // of the chosen queue family
  uint64_t maxStorageBufferRange = 0;  // bytes one storage-buffer binding may span
  DeviceFeatures features;
};

// "1.3.230"
std::string formatApiVersion(uint32_t version);
// "6d657361-3232-2e33-2e36-000000000000"
std::string formatUuid(const std::array<uint8_t, 16>& uuid);

struct ContextOptions {
  // Enable VK_LAYER_KHRONOS_validation with synchronization validation. Creation fails if
  // the layer is not installed. Tests always set this.
  bool validation = false;
  // Device selector: name substring or index. Empty: the MESHRT_DEVICE environment
  // variable, and when that is unset too, the preferred device (discrete first).
  std::string deviceSelector;
  // Receives warning/error validation messages; default prints them to stderr.
  ValidationHandler onValidationMessage;
  // Extra extensions the application needs, e.g. a window's surface extensions (instance) and
  // VK_KHR_swapchain (device). Creation fails naming the first one the loader or device lacks.
  std::vector<std::string> instanceExtensions;
  std::vector<std::string> deviceExtensions;
};

// Handles owned by the application. meshrt uses them and never destroys them. The device
// must have been created with Vulkan >= 1.2 and timelineSemaphore enabled; list the other
// features you enabled in `enabledFeatures` (meshrt cannot query that from a VkDevice).
struct ExternalHandles {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physicalDevice = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;  // must support compute; meshrt submits to it
  uint32_t queueFamilyIndex = 0;
  DeviceFeatures enabledFeatures;
};

struct PhysicalDeviceSummary {
  std::string name;
  std::string type;
  uint32_t apiVersion;
};

class Context {
 public:
  static Result<std::unique_ptr<Context>> create(const ContextOptions& options);
  static Result<std::unique_ptr<Context>> adopt(const ExternalHandles& handles);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  VkInstance instance() const { return mInstance; }
  VkPhysicalDevice physicalDevice() const { return mPhysicalDevice; }
  VkDevice device() const { return mDevice; }
  VkQueue queue() const { return mQueue; }
  uint32_t queueFamilyIndex() const { return mQueueFamilyIndex; }
  const DeviceInfo& info() const { return mInfo; }
  bool ownsDevice() const { return mOwnsHandles; }
  bool validationEnabled() const { return mMessenger != VK_NULL_HANDLE; }
  const VkPhysicalDeviceMemoryProperties& memoryProperties() const { return mMemoryProperties; }
  // Every physical device the instance reports, in enumeration order (index = MESHRT_DEVICE index).
  const std::vector<PhysicalDeviceSummary>& allDevices() const { return mAllDevices; }

 private:
  Context() = default;
  Result<void> createInstance(const ContextOptions& options);
  Result<void> pickPhysicalDevice(const ContextOptions& options);
  Result<void> createDevice(const ContextOptions& options);
  void queryInfo(const DeviceFeatures* enabledOverride);

  VkInstance mInstance = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT mMessenger = VK_NULL_HANDLE;
  VkPhysicalDevice mPhysicalDevice = VK_NULL_HANDLE;
  VkDevice mDevice = VK_NULL_HANDLE;
  VkQueue mQueue = VK_NULL_HANDLE;
  uint32_t mQueueFamilyIndex = 0;
  bool mOwnsHandles = false;
  DeviceInfo mInfo;
  VkPhysicalDeviceMemoryProperties mMemoryProperties{};
  std::vector<PhysicalDeviceSummary> mAllDevices;
  // Heap-allocated so its address (given to the layer as pUserData) never moves.
  std::unique_ptr<ValidationHandler> mHandler;
};

}  // namespace meshrt::vk
