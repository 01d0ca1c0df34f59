// Sizing the host output vectors of a stage (textures, lookup tables, gradients of several
// MiB) that the caller may hand in fresh on every call.
#pragma once

#include <cstddef>
#include <vector>

namespace meshrt {

// Outputs of at least this many bytes are advised onto transparent huge pages.
inline constexpr size_t HUGE_PAGE_ADVICE_BYTES = size_t{2} << 20;

// Asks the kernel to back [data, data + bytes) with 2 MiB transparent huge pages (Linux
// madvise(MADV_HUGEPAGE) on the 2 MiB-aligned part; elsewhere, or where THP is off, nothing).
// Advice only: errors are ignored.
void adviseHugePages(void* data, size_t bytes);

// Resizes `out` to `count` elements that the caller then overwrites. Where this needs a new
// allocation of HUGE_PAGE_ADVICE_BYTES or more, the old contents are dropped and the new block is
// advised onto huge pages before it is first touched: a fresh 32 MiB output then takes 16 page
// faults instead of 8,192 (about 10 us each on the 2-vCPU VM, docs/PERF.md). A vector that
// already has the capacity is resized in place (the kept-outputs path).
template <class T>
void resizeOutput(std::vector<T>& out, size_t count) {
  if (count > out.capacity() && count * sizeof(T) >= HUGE_PAGE_ADVICE_BYTES) {
    std::vector<T>().swap(out);
    out.reserve(count);
    adviseHugePages(out.data(), count * sizeof(T));
  }
  out.resize(count);
}

}  // namespace meshrt
