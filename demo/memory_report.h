// `meshrt demo --headless --memory-report FILE`: the process's resident memory (VmRSS) over a
// headless run, for the long-run check (docs/TESTING.md): is memory at the last frame within
// 5% of frame 100?
#pragma once

#include <string>

#include "headless_demo.h"
#include "meshrt/result.h"

namespace meshrt::cli {

// Frames between samples in the report.
constexpr int64_t MEMORY_SAMPLE_EVERY = 100;

// JSON, written through a temporary name:
//   {"frames": N, "source": S, "save_every": K,
//    "samples": [{"frame": 100, "rss_kib": ...}, ..., {"frame": N, "rss_kib": ...}],
//    "rss_kib_frame_100": ..., "rss_kib_last_frame": ..., "growth_percent": 100 * (last / frame100 - 1)}
// The frame-100 fields are null when the run had fewer than 100 frames.
Result<void> writeMemoryReport(const HeadlessDemoSummary& summary, const HeadlessDemoParams& params,
                               const std::string& path);

// One line for stdout: "resident memory: frame 100 123.4 MiB, frame 2000 124.0 MiB (+0.49%)".
std::string memoryReportLine(const HeadlessDemoSummary& summary);

}  // namespace meshrt::cli
