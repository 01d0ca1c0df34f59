// The window's swapchain, its render pass (the ImGui overlay draws into it) and one framebuffer
// per image. Images are created with transfer usage so the frame view is copied straight in and
// a screenshot is read straight back (swapchain.cpp says how each frame's layouts go).
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::demo {

struct SwapchainImage {
  VkImage image = VK_NULL_HANDLE;       // owned by the swapchain
  VkImageView view = VK_NULL_HANDLE;
  VkFramebuffer framebuffer = VK_NULL_HANDLE;
  VkSemaphore renderDone = VK_NULL_HANDLE;  // signalled by the frame's submit, waited by present
};

class Swapchain {
 public:
  Swapchain(VkPhysicalDevice physicalDevice, VkDevice device, VkSurfaceKHR surface)
      : mPhysicalDevice(physicalDevice), mDevice(device), mSurface(surface) {}
  ~Swapchain();
  Swapchain(const Swapchain&) = delete;
  Swapchain& operator=(const Swapchain&) = delete;

  // (Re)creates the swapchain for a framebuffer of width x height pixels. vsync: FIFO;
  // otherwise MAILBOX, else IMMEDIATE, else FIFO (the only mode every driver has).
  // The caller must have waited for the device to be idle.
  Result<void> recreate(uint32_t width, uint32_t height, bool vsync);

  VkSwapchainKHR handle() const { return mSwapchain; }
  VkRenderPass renderPass() const { return mRenderPass; }
  VkFormat format() const { return mFormat; }
  VkExtent2D extent() const { return mExtent; }
  VkPresentModeKHR presentMode() const { return mPresentMode; }
  uint32_t minImageCount() const { return mMinImageCount; }
  std::vector<SwapchainImage>& images() { return mImages; }

 private:
  Result<void> createRenderPass();
  void destroyImages();

  VkPhysicalDevice mPhysicalDevice;
  VkDevice mDevice;
  VkSurfaceKHR mSurface;
  VkSwapchainKHR mSwapchain = VK_NULL_HANDLE;
  VkRenderPass mRenderPass = VK_NULL_HANDLE;
  VkFormat mFormat = VK_FORMAT_UNDEFINED;
  VkExtent2D mExtent{};
  VkPresentModeKHR mPresentMode = VK_PRESENT_MODE_FIFO_KHR;
  uint32_t mMinImageCount = 2;
  std::vector<SwapchainImage> mImages;
};

}  // namespace meshrt::demo
