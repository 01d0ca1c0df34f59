// OpenMP's idle spinning, bounded for the frame loop (docs/PERF.md, "Frame rate per pack").
//
// The oneDNN encoder runs on libgomp. After each parallel region libgomp's worker threads
// spin-wait GOMP_SPINCOUNT iterations (300,000 by default, several milliseconds) before they
// sleep, so after the encoder one of the 2 cores spins while lavapipe's threads raster and
// splat: perf showed ~90% of the bench's samples in libgomp's spin loop. libgomp reads its
// environment once, when it is loaded, so the spin count cannot be changed from main(); instead
// main() re-executes the program (same pid, same arguments) with GOMP_SPINCOUNT set.
#pragma once

namespace meshrt::cli {

// Spin iterations that still bridge the gaps between the encoder's layers (microseconds) but
// end about a quarter of a millisecond after its last one.
inline constexpr const char* OPENMP_SPIN_COUNT = "10000";

// If neither GOMP_SPINCOUNT nor OMP_WAIT_POLICY is set, sets GOMP_SPINCOUNT=OPENMP_SPIN_COUNT and
// re-executes /proc/self/exe with `argv`. Returns only when it did not re-execute (a user
// setting is kept, or exec failed: the program then runs with libgomp's default).
void boundOpenMpSpinning(char** argv);

}  // namespace meshrt::cli
