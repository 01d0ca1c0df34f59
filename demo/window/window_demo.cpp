#include "window/window_demo.h"

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_vulkan.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "capture/frame_source_factory.h"
#include "capture/sample_source.h"
#include "core/clock.h"
#include "core/profiler.h"
#include "frame_overlay.h"
#include "mesh_export.h"
#include "core/pack_discovery.h"
#include "object_crop.h"
#include "pack_frame_processor.h"
#include "vk/gpu_allocator.h"
#include "vk/gpu_timestamps.h"
#include "vk/vk_check.h"
#include "vulkan_setup.h"
#include "window/demo_panel.h"
#include "window/frame_view.h"
#include "window/orbit_view.h"
#include "window/swapchain.h"
#include "window/window_layout.h"

namespace meshrt::demo {
namespace {

std::string glfwErrorText() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description ? description : "unknown GLFW error";
}

void checkImguiVkResult(VkResult result) {
  if (result != VK_SUCCESS) std::fprintf(stderr, "meshrt demo: ImGui Vulkan backend: %s\n", vk::resultName(result));
}

// Everything the window owns, destroyed in reverse order of creation by the destructor.
class WindowDemo {
 public:
  explicit WindowDemo(const WindowDemoParams& params) : mParams(params) {}
  ~WindowDemo();
  Result<void> init();
  Result<WindowDemoSummary> run();

 private:
  Result<void> createVulkanObjects();
  Result<void> initImgui();
  Result<void> recreateSwapchain();
  Result<void> frame(int64_t index, bool takeScreenshot, const std::string& screenshotPath);
  Result<void> writeScreenshot(const std::string& path);
  void applyFullscreen(bool fullscreen);
  void refreshStats(int64_t framesInWindow, int64_t windowStartNs);
  Result<void> switchSource(const std::string& spec);
  Result<void> startPack(const PackSpec& pack);
  void switchPack(const std::string& name);
  void exportMesh();
  void handleOrbitMouse(VkExtent2D extent);

  WindowDemoParams mParams;
  cli::ValidationCount mValidation;
  bool mGlfwReady = false;
  GLFWwindow* mWindow = nullptr;
  std::unique_ptr<vk::Context> mContext;
  VkSurfaceKHR mSurface = VK_NULL_HANDLE;
  std::unique_ptr<Swapchain> mSwapchain;
  std::unique_ptr<vk::GpuAllocator> mAllocator;
  VkCommandPool mCommandPool = VK_NULL_HANDLE;
  VkCommandBuffer mCommandBuffer = VK_NULL_HANDLE;
  VkFence mFrameDone = VK_NULL_HANDLE;       // the previous frame's submit
  VkSemaphore mImageAcquired = VK_NULL_HANDLE;
  VkDescriptorPool mDescriptorPool = VK_NULL_HANDLE;
  bool mImguiVulkanReady = false;
  bool mImguiGlfwReady = false;
  std::unique_ptr<vk::GpuTimestamps> mTimestamps;
  bool mTimestampsPending = false;
  int64_t mTimestampsFrame = 0;
  vk::Buffer mViewUpload;  // the frame view, swapchain-sized, in the swapchain's byte order
  vk::Buffer mScreenshot;  // readback of the swapchain image
  bool mSwapchainStale = false;
  std::unique_ptr<FrameSource> mSource;
  Profiler mProfiler;
  std::unique_ptr<cli::PackFrameProcessor> mProcessor;  // null without a pack
  // The latest object 0 and its fused texture (for "Export mesh"); empty before any object.
  std::optional<ReconstructedObject> mLastObject;
  Image mLastTexture;
  std::unique_ptr<OrbitView> mOrbit;  // the novel-view inset; null without a pack
  bool mOrbitDragging = false;        // a drag that began on the inset (it may leave the inset)
  PanelInfo mPanel;
  PanelActions mActions;
  TimingHistory mHistory;
  int mWindowedX = 0, mWindowedY = 0, mWindowedWidth = 0, mWindowedHeight = 0;
  int mScreenshotCounter = 0;
};

WindowDemo::~WindowDemo() {
  if (mContext) vkDeviceWaitIdle(mContext->device());
  if (mImguiVulkanReady) ImGui_ImplVulkan_Shutdown();
  if (mImguiGlfwReady) ImGui_ImplGlfw_Shutdown();
  if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
  mProcessor.reset();  // its Vulkan stages live on mContext
  mOrbit.reset();
  mTimestamps.reset();
  mViewUpload = {};
  mScreenshot = {};
  mAllocator.reset();
  mSwapchain.reset();
  if (mContext) {
    VkDevice device = mContext->device();
    if (mDescriptorPool) vkDestroyDescriptorPool(device, mDescriptorPool, nullptr);
    if (mImageAcquired) vkDestroySemaphore(device, mImageAcquired, nullptr);
    if (mFrameDone) vkDestroyFence(device, mFrameDone, nullptr);
    if (mCommandPool) vkDestroyCommandPool(device, mCommandPool, nullptr);
    if (mSurface) vkDestroySurfaceKHR(mContext->instance(), mSurface, nullptr);
  }
  mContext.reset();
  if (mWindow) glfwDestroyWindow(mWindow);
  if (mGlfwReady) glfwTerminate();
}

Result<void> WindowDemo::init() {
  if (!glfwInit()) return makeError("GLFW", "cannot open the display: " + glfwErrorText());
  mGlfwReady = true;
  if (!glfwVulkanSupported()) return makeError("GLFW", "no Vulkan loader with surface support found");
  glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
  mWindow = glfwCreateWindow(static_cast<int>(DEFAULT_WINDOW_WIDTH), static_cast<int>(DEFAULT_WINDOW_HEIGHT),
                             "meshrt demo", nullptr, nullptr);
  if (!mWindow) return makeError("GLFW", "cannot create the window: " + glfwErrorText());
  glfwGetWindowPos(mWindow, &mWindowedX, &mWindowedY);
  glfwGetWindowSize(mWindow, &mWindowedWidth, &mWindowedHeight);

  uint32_t extensionCount = 0;
  const char** extensionNames = glfwGetRequiredInstanceExtensions(&extensionCount);
  if (!extensionNames) return makeError("GLFW", "no Vulkan surface extensions for this display: " + glfwErrorText());
  std::vector<std::string> instanceExtensions(extensionNames, extensionNames + extensionCount);
  auto context = cli::createProgramContext(mValidation, instanceExtensions, {VK_KHR_SWAPCHAIN_EXTENSION_NAME});
  if (!context) return context.error();
  mContext = std::move(*context);
  MESHRT_VK_TRY(glfwCreateWindowSurface(mContext->instance(), mWindow, nullptr, &mSurface));
  VkBool32 presentable = VK_FALSE;
  MESHRT_VK_TRY(vkGetPhysicalDeviceSurfaceSupportKHR(mContext->physicalDevice(), mContext->queueFamilyIndex(),
                                                     mSurface, &presentable));
  if (!presentable) {
    return makeError(mContext->info().name, "its queue family " + std::to_string(mContext->queueFamilyIndex()) +
                                                " cannot present to this window");
  }
  MESHRT_TRY(createVulkanObjects());
  mSwapchain = std::make_unique<Swapchain>(mContext->physicalDevice(), mContext->device(), mSurface);
  MESHRT_TRY(recreateSwapchain());
  MESHRT_TRY(initImgui());
  mActions.vsync = mParams.vsync;
  mActions.insetView = mParams.insetView;
  if (mParams.fullscreen) applyFullscreen(true);
  mActions.fullscreen = mParams.fullscreen;
  mPanel.device = mContext->info().name;
  mPanel.driver = mContext->info().driverName + " " + mContext->info().driverInfo;
  MESHRT_TRY(switchSource(mParams.source));
  // The panel's pack list: "none" and every installed pack with models (objectron, face, and
  // ttp / regress packs whose manifest lists an encoder; dataset-only packs have nothing to run).
  mPanel.packChoices = {"none"};
  for (const PackEntry& entry : discoverPacks(packSearchPath(std::string(MESHRT_SOURCE_DIR) + "/assets/packs"))) {
    if (!entry.error.empty()) continue;
    bool hasModels = entry.head == "objectron" || entry.head == "face";
    if (entry.head == "ttp" || entry.head == "regress") {
      std::ifstream in(entry.path + "/pack.json", std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto manifest = parsePackManifest(text, entry.path, PackLoadOptions{.requireModels = false});
      hasModels = manifest.ok() && manifest->hasModels;
    }
    if (hasModels) mPanel.packChoices.push_back(entry.name);
  }
  if (mParams.pack) MESHRT_TRY(startPack(*mParams.pack));
  return {};
}

// Runs `pack` from the next frame on (a new processor: track and fused texture start empty).
Result<void> WindowDemo::startPack(const PackSpec& pack) {
  auto processor = cli::PackFrameProcessor::create(mContext.get(), pack, mProfiler, cli::PackFrameParams{});
  if (!processor) return processor.error();
  if (!mOrbit) {
    auto orbit = OrbitView::create(mContext.get(), ORBIT_INSET_SIZE);
    if (!orbit) return orbit.error();
    mOrbit = std::move(*orbit);
  }
  mProcessor = std::move(*processor);
  mOrbit->reset();
  mLastObject.reset();
  mPanel.pack = pack.name;
  mPanel.objects = 0;
  mPanel.textureCoverage = 0;
  return {};
}

// The panel's pack choice: loads and starts it; a pack that fails to load (e.g. a changed model)
// shows its one-line error and the current pack goes on.
void WindowDemo::switchPack(const std::string& name) {
  if (name == "none") {
    mProcessor.reset();
    mLastObject.reset();
    if (mOrbit) mOrbit->reset();
    mPanel.pack.clear();
    mPanel.status = "pack: none";
    return;
  }
  auto pack = findAndLoadPack(name, std::string(MESHRT_SOURCE_DIR) + "/assets/packs");
  auto started = pack ? startPack(*pack) : Result<void>(pack.error());
  mPanel.status = started ? "pack: " + name : "pack " + name + ": " + started.error().message;
  if (!started) std::fprintf(stderr, "meshrt demo: %s\n", mPanel.status.c_str());
}

// Opens `spec`; when that fails the message goes to stderr and the panel, and the demo goes on
// with the current source, or the built-in sample at start (a missing camera must not end it).
Result<void> WindowDemo::switchSource(const std::string& spec) {
  auto opened = openFrameSource(spec);
  if (opened) {
    mSource = std::move(*opened);
    mPanel.status.clear();
  } else {
    if (!mSource) {
      auto sample = SampleSource::create();
      if (!sample) return sample.error();
      mSource = std::move(*sample);
    }
    mPanel.status = "source " + spec + ": " + opened.error().message + "; showing " + mSource->name();
    std::fprintf(stderr, "meshrt demo: %s\n", mPanel.status.c_str());
  }
  mPanel.source = mSource->name();
  const std::string shown = mSource->name();
  std::snprintf(mActions.sourceText.data(), mActions.sourceText.size(), "%s", shown.c_str());
  return {};
}

// "Export mesh": object 0 and its fused texture into --out (mesh_export.h); the outcome goes to
// the panel's status line and the terminal (a failed export does not end the demo).
void WindowDemo::exportMesh() {
  if (!mLastObject) {
    mPanel.status = "export: no object reconstructed yet";
  } else if (auto files = cli::exportObjectMesh(*mLastObject, mLastTexture, mParams.outDir); files) {
    mPanel.status = "exported " + files->obj + " and " + files->glb;
    std::printf("meshrt demo: exported %s, %s (%u vertices, %u triangles, object frame, +y up)\n", files->obj.c_str(),
                files->glb.c_str(), files->vertices, files->triangles);
  } else {
    mPanel.status = "export failed: " + files.error().message;
    std::fprintf(stderr, "meshrt demo: %s\n", mPanel.status.c_str());
  }
}

// Mouse on the novel-view inset (not captured by the panel): a left-button drag that starts on
// it turns the orbit, the wheel over it zooms. Applied to the next frame's render.
void WindowDemo::handleOrbitMouse(VkExtent2D extent) {
  if (!mOrbit) return;
  const ImGuiIO& io = ImGui::GetIO();
  const float left = float(ORBIT_INSET_MARGIN), top = float(extent.height) - float(ORBIT_INSET_MARGIN + ORBIT_INSET_SIZE);
  const bool over = !io.WantCaptureMouse && io.MousePos.x >= left && io.MousePos.x < left + float(ORBIT_INSET_SIZE) &&
                    io.MousePos.y >= top && io.MousePos.y < top + float(ORBIT_INSET_SIZE);
  if (over && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) mOrbitDragging = true;
  if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) mOrbitDragging = false;
  mOrbit->applyInput(mOrbitDragging ? io.MouseDelta.x : 0.0f, mOrbitDragging ? io.MouseDelta.y : 0.0f,
                     over ? io.MouseWheel : 0.0f);
}

Result<void> WindowDemo::createVulkanObjects() {
  VkDevice device = mContext->device();
  mAllocator = std::make_unique<vk::GpuAllocator>(*mContext);
  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  poolInfo.queueFamilyIndex = mContext->queueFamilyIndex();
  MESHRT_VK_TRY(vkCreateCommandPool(device, &poolInfo, nullptr, &mCommandPool));
  VkCommandBufferAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  allocateInfo.commandPool = mCommandPool;
  allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocateInfo.commandBufferCount = 1;
  MESHRT_VK_TRY(vkAllocateCommandBuffers(device, &allocateInfo, &mCommandBuffer));
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  fenceInfo.flags = VK_FENCE_CREATE_SIGNALED_BIT;
  MESHRT_VK_TRY(vkCreateFence(device, &fenceInfo, nullptr, &mFrameDone));
  VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
  MESHRT_VK_TRY(vkCreateSemaphore(device, &semaphoreInfo, nullptr, &mImageAcquired));
  // ImGui needs one combined image sampler (its font atlas).
  VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4};
  VkDescriptorPoolCreateInfo descriptorInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  descriptorInfo.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
  descriptorInfo.maxSets = 4;
  descriptorInfo.poolSizeCount = 1;
  descriptorInfo.pPoolSizes = &poolSize;
  MESHRT_VK_TRY(vkCreateDescriptorPool(device, &descriptorInfo, nullptr, &mDescriptorPool));
  auto timestamps = vk::GpuTimestamps::create(*mContext, 4);
  if (!timestamps) return timestamps.error();
  mTimestamps = std::move(*timestamps);
  return {};
}

Result<void> WindowDemo::initImgui() {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini in the working directory
  applyPanelStyle();
  if (!ImGui_ImplGlfw_InitForVulkan(mWindow, true)) return makeError("ImGui GLFW backend", "initialisation failed");
  mImguiGlfwReady = true;
  ImGui_ImplVulkan_InitInfo info{};
  info.Instance = mContext->instance();
  info.PhysicalDevice = mContext->physicalDevice();
  info.Device = mContext->device();
  info.QueueFamily = mContext->queueFamilyIndex();
  info.Queue = mContext->queue();
  info.DescriptorPool = mDescriptorPool;
  info.MinImageCount = mSwapchain->minImageCount();
  info.ImageCount = static_cast<uint32_t>(mSwapchain->images().size());
  info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
  info.CheckVkResultFn = checkImguiVkResult;
  if (!ImGui_ImplVulkan_Init(&info, mSwapchain->renderPass())) {
    return makeError("ImGui Vulkan backend", "initialisation failed");
  }
  mImguiVulkanReady = true;
  // The font atlas upload: one submission, waited for.
  MESHRT_VK_TRY(vkResetFences(mContext->device(), 1, &mFrameDone));
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  MESHRT_VK_TRY(vkBeginCommandBuffer(mCommandBuffer, &begin));
  if (!ImGui_ImplVulkan_CreateFontsTexture(mCommandBuffer)) return makeError("ImGui Vulkan backend", "font upload failed");
  MESHRT_VK_TRY(vkEndCommandBuffer(mCommandBuffer));
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &mCommandBuffer;
  MESHRT_VK_TRY(vkQueueSubmit(mContext->queue(), 1, &submit, mFrameDone));
  MESHRT_VK_TRY(vkWaitForFences(mContext->device(), 1, &mFrameDone, VK_TRUE, UINT64_MAX));
  ImGui_ImplVulkan_DestroyFontUploadObjects();
  return {};
}

Result<void> WindowDemo::recreateSwapchain() {
  int width = 0, height = 0;
  glfwGetFramebufferSize(mWindow, &width, &height);
  MESHRT_VK_TRY(vkDeviceWaitIdle(mContext->device()));
  MESHRT_TRY(mSwapchain->recreate(static_cast<uint32_t>(width), static_cast<uint32_t>(height), mActions.vsync));
  if (mImguiVulkanReady) ImGui_ImplVulkan_SetMinImageCount(mSwapchain->minImageCount());
  const VkExtent2D extent = mSwapchain->extent();
  const VkDeviceSize bytes = VkDeviceSize{extent.width} * extent.height * 4;
  mViewUpload = {};
  mScreenshot = {};
  auto upload = mAllocator->createBuffer({bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, vk::MemoryUsage::Upload, false, "frame view upload"});
  if (!upload) return upload.error();
  mViewUpload = std::move(*upload);
  auto readback = mAllocator->createBuffer({bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT, vk::MemoryUsage::Readback, false, "screenshot readback"});
  if (!readback) return readback.error();
  mScreenshot = std::move(*readback);
  mSwapchainStale = false;
  return {};
}

void WindowDemo::applyFullscreen(bool fullscreen) {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (fullscreen && monitor) {
    glfwGetWindowPos(mWindow, &mWindowedX, &mWindowedY);
    glfwGetWindowSize(mWindow, &mWindowedWidth, &mWindowedHeight);
    const GLFWvidmode* mode = glfwGetVideoMode(monitor);
    glfwSetWindowMonitor(mWindow, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else if (!fullscreen) {
    glfwSetWindowMonitor(mWindow, nullptr, mWindowedX, mWindowedY, mWindowedWidth, mWindowedHeight, 0);
  }
  mSwapchainStale = true;
}

// One frame: capture, compose the view, build the ImGui frame, then on the GPU: copy the view
// into the acquired swapchain image, draw ImGui over it, optionally copy the image out, present.
Result<void> WindowDemo::frame(int64_t index, bool takeScreenshot, const std::string& screenshotPath) {
  VkDevice device = mContext->device();
  {
    auto span = mProfiler.span("wait");
    MESHRT_VK_TRY(vkWaitForFences(device, 1, &mFrameDone, VK_TRUE, UINT64_MAX));
  }
  if (mTimestampsPending) {
    auto spans = mTimestamps->resolve();
    if (!spans) return spans.error();
    for (const vk::GpuSpan& gpu : *spans) mProfiler.addGpuSpan(gpu.name, "gpu:queue0", mTimestampsFrame, gpu.startNs, gpu.endNs);
    mTimestampsPending = false;
  }
  if (mSwapchainStale) MESHRT_TRY(recreateSwapchain());

  Frame input;
  {
    auto span = mProfiler.span("capture");
    auto captured = mSource->next(input);
    if (!captured || !*captured) {  // e.g. the camera was unplugged: say so, go on with the sample
      mPanel.status = "source " + mSource->name() + ": " +
                      (captured ? std::string("ended") : captured.error().message) + "; showing the sample";
      std::fprintf(stderr, "meshrt demo: %s\n", mPanel.status.c_str());
      auto sample = SampleSource::create();
      if (!sample) return sample.error();
      mSource = std::move(*sample);
      mPanel.source = mSource->name();
      MESHRT_TRY(mSource->next(input));
    }
  }
  if (mProcessor) {  // spans: preprocess, encoder, decode, solve, mesh, raster, splat, fuse, render
    auto output = mProcessor->process(input.image);
    if (!output) return output.error();
    input.image = std::move(output->rendered);
    mPanel.objects = output->objects.size();
    mPanel.textureCoverage = output->textureCoverage;
    if (!output->objects.empty() && output->fusedTexture.width > 0) {
      mLastObject = std::move(output->objects.front());
      mLastTexture = std::move(output->fusedTexture);
    }
  }
  if (mOrbit && mLastObject) {  // the novel view of the latest object 0
    auto span = mProfiler.span("orbit");
    MESHRT_TRY(mOrbit->render(*mLastObject, mLastTexture, static_cast<InsetView>(mActions.insetView)));
    const OrbitCamera& camera = mOrbit->camera();
    char text[96];
    std::snprintf(text, sizeof(text), "yaw %ld, pitch %ld, distance %.1f", std::lround(camera.yawDegrees),
                  std::lround(camera.pitchDegrees), camera.distance);
    mPanel.orbit = text;
  }
  const VkExtent2D extent = mSwapchain->extent();
  {
    auto span = mProfiler.span("compose");
    const uint8_t green[3] = {60, 230, 90};
    if (!mProcessor) cli::drawCropOutline(input.image, cli::objectCropFor(*mSource, input), green);
    const auto viewWidth = static_cast<uint32_t>(std::max(0.0f, static_cast<float>(extent.width) - PANEL_WIDTH));
    composeFrameView(input.image, static_cast<uint8_t*>(mViewUpload.mapped()), extent.width, extent.height, viewWidth,
                     mSwapchain->format() == VK_FORMAT_B8G8R8A8_UNORM);
    if (mOrbit && mLastObject && mOrbit->image().width > 0) {
      composeInset(mOrbit->image(), static_cast<uint8_t*>(mViewUpload.mapped()), extent.width, extent.height,
                   int(ORBIT_INSET_MARGIN), int(extent.height) - int(ORBIT_INSET_MARGIN + ORBIT_INSET_SIZE),
                   mSwapchain->format() == VK_FORMAT_B8G8R8A8_UNORM);
    }
  }
  {
    auto span = mProfiler.span("ui");
    ImGui_ImplVulkan_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    const bool wasVsync = mActions.vsync, wasFullscreen = mActions.fullscreen;
    drawPanel(mPanel, mHistory, static_cast<float>(extent.width), static_cast<float>(extent.height), mActions);
    handleOrbitMouse(extent);
    ImGui::Render();
    if (mActions.vsync != wasVsync) mSwapchainStale = true;
    if (mActions.fullscreen != wasFullscreen) applyFullscreen(mActions.fullscreen);
    if (!mActions.openSource.empty()) MESHRT_TRY(switchSource(mActions.openSource));
    if (mProcessor && (mActions.resetFusion || !mActions.openSource.empty())) {
      mProcessor->reset();
      mLastObject.reset();
      if (mOrbit) mOrbit->reset();
    }
    if (mActions.exportMesh) exportMesh();
    if (!mActions.selectPack.empty()) switchPack(mActions.selectPack);
  }

  uint32_t imageIndex = 0;
  {
    auto span = mProfiler.span("acquire");
    const VkResult acquired = vkAcquireNextImageKHR(device, mSwapchain->handle(), UINT64_MAX, mImageAcquired,
                                                    VK_NULL_HANDLE, &imageIndex);
    if (acquired == VK_ERROR_OUT_OF_DATE_KHR) {
      mSwapchainStale = true;  // nothing was submitted; the fence stays signalled
      return {};
    }
    if (acquired != VK_SUCCESS && acquired != VK_SUBOPTIMAL_KHR) return vk::vkError("vkAcquireNextImageKHR", acquired);
  }
  SwapchainImage& image = mSwapchain->images()[imageIndex];
  {
    auto span = mProfiler.span("record");
    MESHRT_VK_TRY(vkResetCommandBuffer(mCommandBuffer, 0));
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    MESHRT_VK_TRY(vkBeginCommandBuffer(mCommandBuffer, &begin));
    mTimestamps->reset(mCommandBuffer);
    VkImageMemoryBarrier toTransfer{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    toTransfer.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    toTransfer.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    toTransfer.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
    toTransfer.srcQueueFamilyIndex = toTransfer.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    toTransfer.image = image.image;
    toTransfer.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    // Chained to the acquire semaphore's wait, which is at the transfer stage.
    vkCmdPipelineBarrier(mCommandBuffer, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr,
                         0, nullptr, 1, &toTransfer);
    int spanId = mTimestamps->beginSpan(mCommandBuffer, "view_upload");
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = {extent.width, extent.height, 1};
    vkCmdCopyBufferToImage(mCommandBuffer, mViewUpload.handle(), image.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1,
                           &region);
    mTimestamps->endSpan(mCommandBuffer, spanId);
    spanId = mTimestamps->beginSpan(mCommandBuffer, "imgui");
    VkRenderPassBeginInfo pass{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    pass.renderPass = mSwapchain->renderPass();
    pass.framebuffer = image.framebuffer;
    pass.renderArea.extent = extent;
    vkCmdBeginRenderPass(mCommandBuffer, &pass, VK_SUBPASS_CONTENTS_INLINE);
    ImGui_ImplVulkan_RenderDrawData(ImGui::GetDrawData(), mCommandBuffer);
    vkCmdEndRenderPass(mCommandBuffer);
    mTimestamps->endSpan(mCommandBuffer, spanId);
    if (takeScreenshot) {
      vkCmdCopyImageToBuffer(mCommandBuffer, image.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, mScreenshot.handle(), 1,
                             &region);
      VkBufferMemoryBarrier toHost{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER};
      toHost.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
      toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
      toHost.srcQueueFamilyIndex = toHost.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
      toHost.buffer = mScreenshot.handle();
      toHost.size = VK_WHOLE_SIZE;
      vkCmdPipelineBarrier(mCommandBuffer, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1,
                           &toHost, 0, nullptr);
    }
    VkImageMemoryBarrier toPresent{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER};
    toPresent.srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
    toPresent.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    toPresent.newLayout = VK_IMAGE_LAYOUT_PRESENT_SRC_KHR;
    toPresent.srcQueueFamilyIndex = toPresent.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    toPresent.image = image.image;
    toPresent.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    vkCmdPipelineBarrier(mCommandBuffer, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, 0, 0,
                         nullptr, 0, nullptr, 1, &toPresent);
    MESHRT_VK_TRY(vkEndCommandBuffer(mCommandBuffer));
  }
  {
    auto span = mProfiler.span("submit");
    MESHRT_VK_TRY(vkResetFences(device, 1, &mFrameDone));
    const VkPipelineStageFlags waitStage = VK_PIPELINE_STAGE_TRANSFER_BIT;
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.waitSemaphoreCount = 1;
    submit.pWaitSemaphores = &mImageAcquired;
    submit.pWaitDstStageMask = &waitStage;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &mCommandBuffer;
    submit.signalSemaphoreCount = 1;
    submit.pSignalSemaphores = &image.renderDone;
    MESHRT_VK_TRY(vkQueueSubmit(mContext->queue(), 1, &submit, mFrameDone));
    mTimestampsPending = true;
    mTimestampsFrame = index;
  }
  {
    auto span = mProfiler.span("present");
    VkSwapchainKHR swapchain = mSwapchain->handle();
    VkPresentInfoKHR present{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
    present.waitSemaphoreCount = 1;
    present.pWaitSemaphores = &image.renderDone;
    present.swapchainCount = 1;
    present.pSwapchains = &swapchain;
    present.pImageIndices = &imageIndex;
    const VkResult presented = vkQueuePresentKHR(mContext->queue(), &present);
    if (presented == VK_ERROR_OUT_OF_DATE_KHR || presented == VK_SUBOPTIMAL_KHR) {
      mSwapchainStale = true;
    } else if (presented != VK_SUCCESS) {
      return vk::vkError("vkQueuePresentKHR", presented);
    }
  }
  if (takeScreenshot) {
    MESHRT_VK_TRY(vkWaitForFences(device, 1, &mFrameDone, VK_TRUE, UINT64_MAX));
    MESHRT_TRY(writeScreenshot(screenshotPath));
  }
  return {};
}

Result<void> WindowDemo::writeScreenshot(const std::string& path) {
  const VkExtent2D extent = mSwapchain->extent();
  const bool bgra = mSwapchain->format() == VK_FORMAT_B8G8R8A8_UNORM;
  const auto* bytes = static_cast<const uint8_t*>(mScreenshot.mapped());
  Image shot(extent.width, extent.height, 3);
  for (size_t i = 0; i < size_t{extent.width} * extent.height; ++i) {
    shot.pixels[i * 3 + 0] = bytes[i * 4 + (bgra ? 2 : 0)];
    shot.pixels[i * 3 + 1] = bytes[i * 4 + 1];
    shot.pixels[i * 3 + 2] = bytes[i * 4 + (bgra ? 0 : 2)];
  }
  MESHRT_TRY(writePng(shot, path));
  mPanel.status = "wrote " + path;
  std::printf("wrote screenshot %s (%ux%u)\n", path.c_str(), extent.width, extent.height);
  return {};
}

// Stats over the frames since the last refresh, then the profiler starts over, so memory stays
// bounded however long the window runs.
void WindowDemo::refreshStats(int64_t framesInWindow, int64_t windowStartNs) {
  mPanel.cpuStages = mProfiler.stageStats("cpu");
  mPanel.gpuStages = mProfiler.stageStats("gpu");
  const double seconds = static_cast<double>(nowNs() - windowStartNs) * 1e-9;
  mPanel.fps = seconds > 0 ? framesInWindow / seconds : 0.0;
  if (auto frame = mPanel.cpuStages.find("frame"); frame != mPanel.cpuStages.end()) {
    mHistory.push(static_cast<float>(frame->second.p50Ms), static_cast<float>(frame->second.p99Ms));
  }
  mProfiler.clear();
}

Result<WindowDemoSummary> WindowDemo::run() {
  constexpr int64_t STATS_EVERY = 30;  // frames per stats window
  const int64_t start = nowNs();
  int64_t windowStart = start, framesInWindow = 0, index = 0;
  while (!glfwWindowShouldClose(mWindow) && (mParams.frames == 0 || index < mParams.frames)) {
    glfwPollEvents();
    int width = 0, height = 0;
    glfwGetFramebufferSize(mWindow, &width, &height);
    if (width == 0 || height == 0) {  // minimised: nothing to draw into
      glfwWaitEvents();
      continue;
    }
    const VkExtent2D extent = mSwapchain->extent();
    if (static_cast<uint32_t>(width) != extent.width || static_cast<uint32_t>(height) != extent.height) {
      mSwapchainStale = true;
    }
    const bool last = mParams.frames > 0 && index + 1 == mParams.frames;
    std::string shotPath;
    if (last && !mParams.screenshotPath.empty()) {
      shotPath = mParams.screenshotPath;
    } else if (mActions.saveScreenshot) {
      std::error_code error;
      std::filesystem::create_directories(mParams.outDir, error);
      char name[40];
      std::snprintf(name, sizeof(name), "/screenshot_%04d.png", mScreenshotCounter++);
      shotPath = mParams.outDir + name;
    }
    mProfiler.beginFrame(index);
    MESHRT_TRY(frame(index, !shotPath.empty(), shotPath));
    mProfiler.endFrame();
    ++index;
    if (++framesInWindow == STATS_EVERY) {
      refreshStats(framesInWindow, windowStart);
      windowStart = nowNs();
      framesInWindow = 0;
    }
  }
  MESHRT_VK_TRY(vkDeviceWaitIdle(mContext->device()));
  WindowDemoSummary summary;
  summary.frames = index;
  summary.wallSeconds = static_cast<double>(nowNs() - start) * 1e-9;
  summary.validationMessages = mValidation.messages.load();
  return summary;
}

}  // namespace

bool displayAvailable() {
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!x11 || !*x11) && (!wayland || !*wayland)) return false;
  // GLFW stays initialised (runWindowDemo's glfwInit() is then a no-op, and it terminates GLFW):
  // closing the only connection would make an X server with no other clients reset, and a
  // connection made during the reset fails.
  return glfwInit() == GLFW_TRUE;
}

Result<WindowDemoSummary> runWindowDemo(const WindowDemoParams& params) {
  WindowDemo demo(params);
  MESHRT_TRY(demo.init());
  return demo.run();
}

}  // namespace meshrt::demo
