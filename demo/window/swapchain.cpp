#include "window/swapchain.h"

#include <algorithm>

#include "vk/vk_check.h"

namespace meshrt::demo {
namespace {

// 8-bit UNORM, so the sRGB bytes of frames and ImGui colours are stored as they are.
VkSurfaceFormatKHR pickFormat(VkPhysicalDevice physicalDevice, VkSurfaceKHR surface) {
  uint32_t count = 0;
  vkGetPhysicalDeviceSurfaceFormatsKHR(physicalDevice, surface, &count, nullptr);
  std::vector<VkSurfaceFormatKHR> formats(count);
  vkGetPhysicalDeviceSurfaceFormatsKHR(physicalDevice, surface, &count, formats.data());
  for (const VkSurfaceFormatKHR& format : formats) {
    if (format.format == VK_FORMAT_B8G8R8A8_UNORM || format.format == VK_FORMAT_R8G8B8A8_UNORM) return format;
  }
  return formats.empty() ? VkSurfaceFormatKHR{VK_FORMAT_UNDEFINED, VK_COLOR_SPACE_SRGB_NONLINEAR_KHR} : formats[0];
}

VkPresentModeKHR pickPresentMode(VkPhysicalDevice physicalDevice, VkSurfaceKHR surface, bool vsync) {
  if (vsync) return VK_PRESENT_MODE_FIFO_KHR;
  uint32_t count = 0;
  vkGetPhysicalDeviceSurfacePresentModesKHR(physicalDevice, surface, &count, nullptr);
  std::vector<VkPresentModeKHR> modes(count);
  vkGetPhysicalDeviceSurfacePresentModesKHR(physicalDevice, surface, &count, modes.data());
  for (VkPresentModeKHR wanted : {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR}) {
    if (std::find(modes.begin(), modes.end(), wanted) != modes.end()) return wanted;
  }
  return VK_PRESENT_MODE_FIFO_KHR;
}

}  // namespace

Swapchain::~Swapchain() {
  destroyImages();
  if (mSwapchain) vkDestroySwapchainKHR(mDevice, mSwapchain, nullptr);
  if (mRenderPass) vkDestroyRenderPass(mDevice, mRenderPass, nullptr);
}

void Swapchain::destroyImages() {
  for (SwapchainImage& image : mImages) {
    vkDestroyFramebuffer(mDevice, image.framebuffer, nullptr);
    vkDestroyImageView(mDevice, image.view, nullptr);
    vkDestroySemaphore(mDevice, image.renderDone, nullptr);
  }
  mImages.clear();
}

// One colour attachment. Each frame the image arrives in TRANSFER_DST_OPTIMAL (cleared, frame
// view copied in), ImGui draws over it (load), and it leaves in TRANSFER_SRC_OPTIMAL so a
// screenshot can be copied out before the final transition to PRESENT_SRC_KHR.
Result<void> Swapchain::createRenderPass() {
  VkAttachmentDescription color{};
  color.format = mFormat;
  color.samples = VK_SAMPLE_COUNT_1_BIT;
  color.loadOp = VK_ATTACHMENT_LOAD_OP_LOAD;
  color.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  color.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  color.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  color.initialLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  color.finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  VkAttachmentReference reference{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
  VkSubpassDescription subpass{};
  subpass.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  subpass.colorAttachmentCount = 1;
  subpass.pColorAttachments = &reference;
  VkSubpassDependency dependencies[2]{};
  // The clear and copy (transfer writes) happen before ImGui reads and writes the attachment.
  dependencies[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  dependencies[0].dstSubpass = 0;
  dependencies[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  dependencies[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependencies[0].srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  dependencies[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  // ImGui's writes happen before the screenshot copy (transfer read) and the present transition.
  dependencies[1].srcSubpass = 0;
  dependencies[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  dependencies[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  dependencies[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  dependencies[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  dependencies[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  VkRenderPassCreateInfo info{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
  info.attachmentCount = 1;
  info.pAttachments = &color;
  info.subpassCount = 1;
  info.pSubpasses = &subpass;
  info.dependencyCount = 2;
  info.pDependencies = dependencies;
  MESHRT_VK_TRY(vkCreateRenderPass(mDevice, &info, nullptr, &mRenderPass));
  return {};
}

Result<void> Swapchain::recreate(uint32_t width, uint32_t height, bool vsync) {
  VkSurfaceCapabilitiesKHR caps;
  MESHRT_VK_TRY(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(mPhysicalDevice, mSurface, &caps));
  const VkImageUsageFlags usage =
      VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  if ((caps.supportedUsageFlags & usage) != usage) {
    return makeError("window surface", "swapchain images cannot be transfer source and destination on this device");
  }
  const VkSurfaceFormatKHR format = pickFormat(mPhysicalDevice, mSurface);
  if (format.format == VK_FORMAT_UNDEFINED) return makeError("window surface", "reports no formats");
  if (mRenderPass && format.format != mFormat) return makeError("window surface", "format changed while running");
  mFormat = format.format;
  if (!mRenderPass) MESHRT_TRY(createRenderPass());
  mPresentMode = pickPresentMode(mPhysicalDevice, mSurface, vsync);
  if (caps.currentExtent.width != UINT32_MAX) {
    mExtent = caps.currentExtent;
  } else {
    mExtent = {std::clamp(width, caps.minImageExtent.width, caps.maxImageExtent.width),
               std::clamp(height, caps.minImageExtent.height, caps.maxImageExtent.height)};
  }
  mMinImageCount = std::max(2u, caps.minImageCount);
  if (caps.maxImageCount > 0) mMinImageCount = std::min(mMinImageCount + 1, caps.maxImageCount);

  VkSwapchainCreateInfoKHR info{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
  info.surface = mSurface;
  info.minImageCount = mMinImageCount;
  info.imageFormat = format.format;
  info.imageColorSpace = format.colorSpace;
  info.imageExtent = mExtent;
  info.imageArrayLayers = 1;
  info.imageUsage = usage;
  info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
  info.preTransform = caps.currentTransform;
  info.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
  info.presentMode = mPresentMode;
  info.clipped = VK_TRUE;
  info.oldSwapchain = mSwapchain;
  VkSwapchainKHR created = VK_NULL_HANDLE;
  MESHRT_VK_TRY(vkCreateSwapchainKHR(mDevice, &info, nullptr, &created));
  destroyImages();
  if (mSwapchain) vkDestroySwapchainKHR(mDevice, mSwapchain, nullptr);
  mSwapchain = created;

  uint32_t count = 0;
  MESHRT_VK_TRY(vkGetSwapchainImagesKHR(mDevice, mSwapchain, &count, nullptr));
  std::vector<VkImage> images(count);
  MESHRT_VK_TRY(vkGetSwapchainImagesKHR(mDevice, mSwapchain, &count, images.data()));
  mImages.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    SwapchainImage& image = mImages[i];
    image.image = images[i];
    VkImageViewCreateInfo viewInfo{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    viewInfo.image = image.image;
    viewInfo.viewType = VK_IMAGE_VIEW_TYPE_2D;
    viewInfo.format = mFormat;
    viewInfo.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    MESHRT_VK_TRY(vkCreateImageView(mDevice, &viewInfo, nullptr, &image.view));
    VkFramebufferCreateInfo framebufferInfo{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    framebufferInfo.renderPass = mRenderPass;
    framebufferInfo.attachmentCount = 1;
    framebufferInfo.pAttachments = &image.view;
    framebufferInfo.width = mExtent.width;
    framebufferInfo.height = mExtent.height;
    framebufferInfo.layers = 1;
    MESHRT_VK_TRY(vkCreateFramebuffer(mDevice, &framebufferInfo, nullptr, &image.framebuffer));
    VkSemaphoreCreateInfo semaphoreInfo{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    MESHRT_VK_TRY(vkCreateSemaphore(mDevice, &semaphoreInfo, nullptr, &image.renderDone));
  }
  return {};
}

}  // namespace meshrt::demo
