// The one clock every meshrt timestamp lives on.
#pragma once

#include <chrono>
#include <cstdint>

namespace meshrt {

// Nanoseconds on std::chrono::steady_clock (CLOCK_MONOTONIC on Linux); the epoch is
// arbitrary, only differences mean anything. GPU timestamps are converted onto this
// clock before they reach the profiler.
inline int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace meshrt
