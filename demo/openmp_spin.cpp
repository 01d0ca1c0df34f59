#include "openmp_spin.h"

#include <cstdlib>
#include <unistd.h>

namespace meshrt::cli {

void boundOpenMpSpinning(char** argv) {
  if (std::getenv("GOMP_SPINCOUNT") != nullptr || std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  if (setenv("GOMP_SPINCOUNT", OPENMP_SPIN_COUNT, 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("GOMP_SPINCOUNT");  // exec failed: carry on as started
}

}  // namespace meshrt::cli
