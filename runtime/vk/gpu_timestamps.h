// GPU timestamp spans for one command buffer at a time, converted onto the CPU clock
// (core/clock.h nowNs(), CLOCK_MONOTONIC) so CPU and GPU spans share one timeline.
// Use one GpuTimestamps per CommandStream slot: reset() at the start of recording,
// beginSpan()/endSpan() around the work, resolve() after the submission has completed.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meshrt/result.h"

namespace meshrt::vk {

class Context;

struct GpuSpan {
  std::string name;
  int64_t startNs;  // CPU clock (nowNs())
  int64_t endNs;
};

class GpuTimestamps {
 public:
  static Result<std::unique_ptr<GpuTimestamps>> create(Context& context, uint32_t maxSpans);
  ~GpuTimestamps();
  GpuTimestamps(const GpuTimestamps&) = delete;
  GpuTimestamps& operator=(const GpuTimestamps&) = delete;

  // Records the query-pool reset; forgets the spans of the previous use.
  void reset(VkCommandBuffer cmd);
  // Returns a span id, or -1 once maxSpans are in use (the span is then not measured).
  int beginSpan(VkCommandBuffer cmd, std::string_view name);
  void endSpan(VkCommandBuffer cmd, int spanId);
  // Reads the results; call after the command buffer completed.
  Result<std::vector<GpuSpan>> resolve();

  // CPU-clock ns = device ns + offset. How it was measured: "calibrated" (VK_EXT_calibrated_timestamps)
  // or "submit" (a timestamp-only submission bracketed by CPU reads).
  int64_t clockOffsetNs() const { return mOffsetNs; }
  const char* calibrationMethod() const { return mCalibration; }

 private:
  explicit GpuTimestamps(Context& context) : mContext(context) {}
  Result<void> calibrate();

  Context& mContext;
  VkQueryPool mPool = VK_NULL_HANDLE;
  uint32_t mMaxSpans = 0;
  std::vector<std::string> mNames;
  double mPeriodNs = 1.0;
  uint64_t mValidMask = ~0ull;
  int64_t mOffsetNs = 0;
  const char* mCalibration = "none";
};

}  // namespace meshrt::vk
