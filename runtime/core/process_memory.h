// The calling process's memory use, as the kernel reports it (Linux /proc/self/status).
#pragma once

#include <cstdint>
#include <string_view>

#include "meshrt/result.h"

namespace meshrt {

// Resident set size (VmRSS) in KiB. Error: "/proc/self/status: <reason>".
Result<uint64_t> residentSetKib();

// VmRSS in KiB parsed from the text of a /proc/<pid>/status file (split out for testing).
Result<uint64_t> parseVmRssKib(std::string_view statusText, std::string_view context);

}  // namespace meshrt
