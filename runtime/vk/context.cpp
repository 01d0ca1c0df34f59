#include "vk/context.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

#include "vk/device_selection.h"
#include "vk/vk_check.h"

namespace meshrt::vk {
namespace {

std::string joinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

constexpr const char* VALIDATION_LAYER = "VK_LAYER_KHRONOS_validation";

std::vector<VkExtensionProperties> deviceExtensions(VkPhysicalDevice physicalDevice) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(physicalDevice, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  vkEnumerateDeviceExtensionProperties(physicalDevice, nullptr, &count, extensions.data());
  return extensions;
}

bool hasExtension(const std::vector<VkExtensionProperties>& extensions, const char* name) {
  for (const auto& extension : extensions) {
    if (std::strcmp(extension.extensionName, name) == 0) return true;
  }
  return false;
}

std::string typeName(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

DeviceKind kindOf(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceKind::Discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceKind::Integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceKind::Virtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceKind::Cpu;
    default: return DeviceKind::Other;
  }
}

// A queue family with compute; prefers one that also does graphics (the demo draws with it).
std::optional<uint32_t> pickQueueFamily(VkPhysicalDevice physicalDevice) {
  uint32_t count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &count, nullptr);
  std::vector<VkQueueFamilyProperties> families(count);
  vkGetPhysicalDeviceQueueFamilyProperties(physicalDevice, &count, families.data());
  std::optional<uint32_t> computeOnly;
  for (uint32_t i = 0; i < count; ++i) {
    const VkQueueFlags flags = families[i].queueFlags;
    if ((flags & VK_QUEUE_COMPUTE_BIT) && (flags & VK_QUEUE_GRAPHICS_BIT)) return i;
    if ((flags & VK_QUEUE_COMPUTE_BIT) && !computeOnly) computeOnly = i;
  }
  return computeOnly;
}

// What the physical device supports (not what is enabled).
DeviceFeatures supportedFeatures(VkPhysicalDevice physicalDevice) {
  const auto extensions = deviceExtensions(physicalDevice);
  VkPhysicalDeviceShaderAtomicFloatFeaturesEXT atomicFloat{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT};
  VkPhysicalDeviceVulkan12Features vk12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features2.pNext = &vk12;
  const bool hasAtomicFloat = hasExtension(extensions, VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME);
  if (hasAtomicFloat) vk12.pNext = &atomicFloat;
  vkGetPhysicalDeviceFeatures2(physicalDevice, &features2);

  DeviceFeatures features;
  features.timelineSemaphore = vk12.timelineSemaphore;
  features.int64 = features2.features.shaderInt64;
  features.int64Atomics = vk12.shaderBufferInt64Atomics;
  features.hostQueryReset = vk12.hostQueryReset;
  features.float32Atomics = hasAtomicFloat && atomicFloat.shaderBufferFloat32Atomics;
  features.float32AtomicAdd = hasAtomicFloat && atomicFloat.shaderBufferFloat32AtomicAdd;
  features.externalMemoryFd = hasExtension(extensions, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
  features.externalSemaphoreFd = hasExtension(extensions, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
  return features;
}

bool hasMonotonicTimeDomain(VkInstance instance, VkPhysicalDevice physicalDevice) {
  auto getDomains = reinterpret_cast<PFN_vkGetPhysicalDeviceCalibrateableTimeDomainsEXT>(
      vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT"));
  if (!getDomains) return false;
  uint32_t count = 0;
  if (getDomains(physicalDevice, &count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkTimeDomainEXT> domains(count);
  if (getDomains(physicalDevice, &count, domains.data()) != VK_SUCCESS) return false;
  bool device = false, monotonic = false;
  for (VkTimeDomainEXT domain : domains) {
    device |= domain == VK_TIME_DOMAIN_DEVICE_EXT;
    monotonic |= domain == VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT;
  }
  return device && monotonic;
}

}  // namespace

std::string formatApiVersion(uint32_t version) {
  return std::to_string(VK_API_VERSION_MAJOR(version)) + "." + std::to_string(VK_API_VERSION_MINOR(version)) + "." +
         std::to_string(VK_API_VERSION_PATCH(version));
}

std::string formatUuid(const std::array<uint8_t, 16>& uuid) {
  std::string text;
  char byte[3];
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    std::snprintf(byte, sizeof(byte), "%02x", uuid[i]);
    text += byte;
  }
  return text;
}

Result<std::unique_ptr<Context>> Context::create(const ContextOptions& options) {
  std::unique_ptr<Context> context(new Context());
  context->mOwnsHandles = true;
  MESHRT_TRY(context->createInstance(options));
  MESHRT_TRY(context->pickPhysicalDevice(options));
  MESHRT_TRY(context->createDevice(options));
  return context;
}

Result<std::unique_ptr<Context>> Context::adopt(const ExternalHandles& handles) {
  if (!handles.instance || !handles.physicalDevice || !handles.device || !handles.queue) {
    return makeError("Context::adopt", "instance, physicalDevice, device and queue must all be set");
  }
  if (!handles.enabledFeatures.timelineSemaphore) {
    return makeError("Context::adopt: enabledFeatures.timelineSemaphore", "meshrt needs timeline semaphores enabled on the device");
  }
  std::unique_ptr<Context> context(new Context());
  context->mInstance = handles.instance;
  context->mPhysicalDevice = handles.physicalDevice;
  context->mDevice = handles.device;
  context->mQueue = handles.queue;
  context->mQueueFamilyIndex = handles.queueFamilyIndex;
  context->mOwnsHandles = false;
  context->queryInfo(&handles.enabledFeatures);
  return context;
}

Context::~Context() {
  if (!mOwnsHandles) return;
  if (mDevice) {
    vkDeviceWaitIdle(mDevice);
    vkDestroyDevice(mDevice, nullptr);
  }
  if (mMessenger) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(mInstance, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(mInstance, mMessenger, nullptr);
  }
  if (mInstance) vkDestroyInstance(mInstance, nullptr);
}

Result<void> Context::createInstance(const ContextOptions& options) {
  mHandler = std::make_unique<ValidationHandler>(options.onValidationMessage ? options.onValidationMessage
                                                                             : ValidationHandler(printValidationMessage));
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "meshrt";
  app.pEngineName = "meshrt";
  app.apiVersion = VK_API_VERSION_1_3;

  std::vector<const char*> layers;
  std::vector<const char*> extensions;
  VkValidationFeatureEnableEXT enabledValidation[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT validationFeatures{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  VkDebugUtilsMessengerCreateInfoEXT messengerInfo = makeMessengerCreateInfo(mHandler.get());

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.pApplicationInfo = &app;
  if (options.validation) {
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> available(count);
    vkEnumerateInstanceLayerProperties(&count, available.data());
    bool found = false;
    for (const auto& layer : available) found |= std::strcmp(layer.layerName, VALIDATION_LAYER) == 0;
    if (!found) {
      return makeError(VALIDATION_LAYER, "validation was requested but the layer is not installed (Debian: vulkan-validationlayers)");
    }
    layers.push_back(VALIDATION_LAYER);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    extensions.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
    validationFeatures.enabledValidationFeatureCount = 1;
    validationFeatures.pEnabledValidationFeatures = enabledValidation;
    // Messages during vkCreateInstance/vkDestroyInstance reach the handler through this chain.
    validationFeatures.pNext = &messengerInfo;
    info.pNext = &validationFeatures;
  }
  for (const std::string& name : options.instanceExtensions) extensions.push_back(name.c_str());
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  const VkResult result = vkCreateInstance(&info, nullptr, &mInstance);
  if (result == VK_ERROR_INCOMPATIBLE_DRIVER) {
    return makeError("Vulkan", "no Vulkan 1.3 loader/driver found (Debian: libvulkan1 and mesa-vulkan-drivers)");
  }
  if (result == VK_ERROR_EXTENSION_NOT_PRESENT && !options.instanceExtensions.empty()) {
    return makeError("vkCreateInstance", "an instance extension is missing (requested: " +
                                             joinNames(options.instanceExtensions) + ")");
  }
  MESHRT_VK_TRY(result);

  if (options.validation) {
    auto createMessenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(mInstance, "vkCreateDebugUtilsMessengerEXT"));
    if (!createMessenger) return makeError("vkCreateDebugUtilsMessengerEXT", "not available");
    MESHRT_VK_TRY(createMessenger(mInstance, &messengerInfo, nullptr, &mMessenger));
  }
  return {};
}

Result<void> Context::pickPhysicalDevice(const ContextOptions& options) {
  uint32_t count = 0;
  MESHRT_VK_TRY(vkEnumeratePhysicalDevices(mInstance, &count, nullptr));
  std::vector<VkPhysicalDevice> devices(count);
  MESHRT_VK_TRY(vkEnumeratePhysicalDevices(mInstance, &count, devices.data()));

  std::vector<DeviceCandidate> candidates;
  for (VkPhysicalDevice device : devices) {
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(device, &properties);
    mAllDevices.push_back({properties.deviceName, typeName(properties.deviceType), properties.apiVersion});
    const bool apiOk = properties.apiVersion >= VK_API_VERSION_1_2;
    candidates.push_back({properties.deviceName, kindOf(properties.deviceType), pickQueueFamily(device).has_value(),
                          apiOk && supportedFeatures(device).timelineSemaphore});
  }
  std::string selector = options.deviceSelector;
  std::string source = "device selector";
  if (selector.empty()) {
    if (const char* env = std::getenv("MESHRT_DEVICE"); env && *env) {
      selector = env;
      source = "MESHRT_DEVICE";
    }
  }
  auto index = selectDevice(candidates, selector, source);
  if (!index) return index.error();
  mPhysicalDevice = devices[*index];
  mQueueFamilyIndex = *pickQueueFamily(mPhysicalDevice);
  return {};
}

Result<void> Context::createDevice(const ContextOptions& options) {
  const DeviceFeatures supported = supportedFeatures(mPhysicalDevice);
  std::vector<const char*> extensions;
  if (supported.externalMemoryFd) {
    extensions.push_back(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
  }
  if (supported.externalSemaphoreFd) extensions.push_back(VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME);
  if (supported.float32Atomics || supported.float32AtomicAdd) extensions.push_back(VK_EXT_SHADER_ATOMIC_FLOAT_EXTENSION_NAME);
  const auto available = deviceExtensions(mPhysicalDevice);
  const bool calibrated = hasExtension(available, VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME) &&
                          hasMonotonicTimeDomain(mInstance, mPhysicalDevice);
  if (calibrated) extensions.push_back(VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME);
  for (const std::string& name : options.deviceExtensions) {
    if (!hasExtension(available, name.c_str())) return makeError(name, "device extension not supported by this Vulkan device");
    extensions.push_back(name.c_str());
  }

  VkPhysicalDeviceShaderAtomicFloatFeaturesEXT atomicFloat{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT};
  atomicFloat.shaderBufferFloat32Atomics = supported.float32Atomics;
  atomicFloat.shaderBufferFloat32AtomicAdd = supported.float32AtomicAdd;
  VkPhysicalDeviceVulkan12Features vk12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  vk12.timelineSemaphore = VK_TRUE;
  vk12.shaderBufferInt64Atomics = supported.int64Atomics;
  vk12.hostQueryReset = supported.hostQueryReset;
  if (supported.float32Atomics || supported.float32AtomicAdd) vk12.pNext = &atomicFloat;
  VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features2.pNext = &vk12;
  features2.features.shaderInt64 = supported.int64;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queueInfo.queueFamilyIndex = mQueueFamilyIndex;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.pNext = &features2;
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queueInfo;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  MESHRT_VK_TRY(vkCreateDevice(mPhysicalDevice, &info, nullptr, &mDevice));
  vkGetDeviceQueue(mDevice, mQueueFamilyIndex, 0, &mQueue);

  DeviceFeatures enabled = supported;
  enabled.calibratedTimestamps = calibrated;
  queryInfo(&enabled);
  return {};
}

void Context::queryInfo(const DeviceFeatures* enabled) {
  VkPhysicalDeviceIDProperties idProperties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
  VkPhysicalDeviceDriverProperties driverProperties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  driverProperties.pNext = &idProperties;
  VkPhysicalDeviceProperties2 properties2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties2.pNext = &driverProperties;
  vkGetPhysicalDeviceProperties2(mPhysicalDevice, &properties2);
  const VkPhysicalDeviceProperties& properties = properties2.properties;

  mInfo.name = properties.deviceName;
  mInfo.type = typeName(properties.deviceType);
  mInfo.driverName = driverProperties.driverName;
  mInfo.driverInfo = driverProperties.driverInfo;
  mInfo.apiVersion = properties.apiVersion;
  mInfo.driverVersion = properties.driverVersion;
  mInfo.vendorId = properties.vendorID;
  std::memcpy(mInfo.deviceUuid.data(), idProperties.deviceUUID, VK_UUID_SIZE);
  mInfo.timestampPeriodNs = properties.limits.timestampPeriod;
  mInfo.maxStorageBufferRange = properties.limits.maxStorageBufferRange;

  uint32_t familyCount = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(mPhysicalDevice, &familyCount, nullptr);
  std::vector<VkQueueFamilyProperties> families(familyCount);
  vkGetPhysicalDeviceQueueFamilyProperties(mPhysicalDevice, &familyCount, families.data());
  mInfo.timestampValidBits = mQueueFamilyIndex < familyCount ? families[mQueueFamilyIndex].timestampValidBits : 0;
  mInfo.features = enabled ? *enabled : supportedFeatures(mPhysicalDevice);
  vkGetPhysicalDeviceMemoryProperties(mPhysicalDevice, &mMemoryProperties);
}

}  // namespace meshrt::vk
