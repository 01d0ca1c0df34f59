#include "vk/gpu_timestamps.h"

#include <cmath>

#include "core/clock.h"
#include "vk/context.h"
#include "vk/vk_check.h"

namespace meshrt::vk {

Result<std::unique_ptr<GpuTimestamps>> GpuTimestamps::create(Context& context, uint32_t maxSpans) {
  const DeviceInfo& info = context.info();
  if (info.timestampValidBits == 0) return makeError("GpuTimestamps", "the queue does not support timestamps");
  std::unique_ptr<GpuTimestamps> timestamps(new GpuTimestamps(context));
  timestamps->mMaxSpans = maxSpans;
  timestamps->mPeriodNs = info.timestampPeriodNs;
  timestamps->mValidMask = info.timestampValidBits >= 64 ? ~0ull : ((1ull << info.timestampValidBits) - 1);
  VkQueryPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  poolInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
  poolInfo.queryCount = 2 * maxSpans;
  MESHRT_VK_TRY(vkCreateQueryPool(context.device(), &poolInfo, nullptr, &timestamps->mPool));
  MESHRT_TRY(timestamps->calibrate());
  return timestamps;
}

GpuTimestamps::~GpuTimestamps() {
  if (mPool) vkDestroyQueryPool(mContext.device(), mPool, nullptr);
}

Result<void> GpuTimestamps::calibrate() {
  const VkDevice device = mContext.device();
  if (mContext.info().features.calibratedTimestamps) {
    auto getCalibrated = reinterpret_cast<PFN_vkGetCalibratedTimestampsEXT>(
        vkGetDeviceProcAddr(device, "vkGetCalibratedTimestampsEXT"));
    if (getCalibrated) {
      VkCalibratedTimestampInfoEXT infos[2] = {{VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT},
                                               {VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT}};
      infos[0].timeDomain = VK_TIME_DOMAIN_DEVICE_EXT;
      infos[1].timeDomain = VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT;
      uint64_t values[2] = {};
      uint64_t maxDeviation = 0;
      MESHRT_VK_TRY(getCalibrated(device, 2, infos, values, &maxDeviation));
      mOffsetNs = static_cast<int64_t>(values[1]) -
                  static_cast<int64_t>(std::llround(static_cast<double>(values[0] & mValidMask) * mPeriodNs));
      mCalibration = "calibrated";
      return {};
    }
  }
  // Fallback: one timestamp written by a submission whose CPU start and end bracket it.
  VkCommandPool pool = VK_NULL_HANDLE;
  VkCommandPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  poolInfo.queueFamilyIndex = mContext.queueFamilyIndex();
  MESHRT_VK_TRY(vkCreateCommandPool(device, &poolInfo, nullptr, &pool));
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  VkCommandBufferAllocateInfo allocateInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  allocateInfo.commandPool = pool;
  allocateInfo.commandBufferCount = 1;
  VkResult result = vkAllocateCommandBuffers(device, &allocateInfo, &cmd);
  VkFence fence = VK_NULL_HANDLE;
  VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  if (result == VK_SUCCESS) result = vkCreateFence(device, &fenceInfo, nullptr, &fence);
  int64_t cpuBefore = 0, cpuAfter = 0;
  if (result == VK_SUCCESS) {
    VkCommandBufferBeginInfo beginInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    beginInfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vkBeginCommandBuffer(cmd, &beginInfo);
    vkCmdResetQueryPool(cmd, mPool, 0, 1);
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, mPool, 0);
    vkEndCommandBuffer(cmd);
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    cpuBefore = nowNs();
    result = vkQueueSubmit(mContext.queue(), 1, &submit, fence);
    if (result == VK_SUCCESS) result = vkWaitForFences(device, 1, &fence, VK_TRUE, UINT64_MAX);
    cpuAfter = nowNs();
  }
  uint64_t ticks = 0;
  if (result == VK_SUCCESS) {
    result = vkGetQueryPoolResults(device, mPool, 0, 1, sizeof(ticks), &ticks, sizeof(ticks),
                                   VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
  }
  if (fence) vkDestroyFence(device, fence, nullptr);
  vkDestroyCommandPool(device, pool, nullptr);
  MESHRT_VK_TRY(result);
  const int64_t gpuNs = static_cast<int64_t>(std::llround(static_cast<double>(ticks & mValidMask) * mPeriodNs));
  mOffsetNs = (cpuBefore + cpuAfter) / 2 - gpuNs;
  mCalibration = "submit";
  return {};
}

void GpuTimestamps::reset(VkCommandBuffer cmd) {
  vkCmdResetQueryPool(cmd, mPool, 0, 2 * mMaxSpans);
  mNames.clear();
}

int GpuTimestamps::beginSpan(VkCommandBuffer cmd, std::string_view name) {
  if (mNames.size() >= mMaxSpans) return -1;
  const int id = static_cast<int>(mNames.size());
  mNames.emplace_back(name);
  vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, mPool, 2 * id);
  return id;
}

void GpuTimestamps::endSpan(VkCommandBuffer cmd, int spanId) {
  if (spanId < 0) return;
  vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, mPool, 2 * spanId + 1);
}

Result<std::vector<GpuSpan>> GpuTimestamps::resolve() {
  std::vector<GpuSpan> spans;
  if (mNames.empty()) return spans;
  const uint32_t queryCount = static_cast<uint32_t>(2 * mNames.size());
  std::vector<uint64_t> ticks(queryCount);
  MESHRT_VK_TRY(vkGetQueryPoolResults(mContext.device(), mPool, 0, queryCount, ticks.size() * sizeof(uint64_t),
                                      ticks.data(), sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
  for (size_t i = 0; i < mNames.size(); ++i) {
    const auto toCpu = [&](uint64_t tick) {
      return static_cast<int64_t>(std::llround(static_cast<double>(tick & mValidMask) * mPeriodNs)) + mOffsetNs;
    };
    spans.push_back({mNames[i], toCpu(ticks[2 * i]), toCpu(ticks[2 * i + 1])});
  }
  return spans;
}

}  // namespace meshrt::vk
