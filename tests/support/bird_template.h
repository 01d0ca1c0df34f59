// The committed synthetic bird template and its deformation basis (assets/templates/), as the
// heads read them: positions N×3, triangles F×3, basis N×3×K (heads/ttp_solver.h TtpModel layout).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/mesh_io.h"
#include "core/npy_file.h"

namespace meshrt::test {

struct BirdTemplate {
  std::vector<float> positions, basis;
  std::vector<uint32_t> triangles;
};

// Fills `bird`; returns "" or the reason it could not (a file unreadable, the basis not N×3×k).
inline std::string loadBirdTemplate(BirdTemplate& bird, uint32_t k) {
  const std::string dir = std::string(MESHRT_SOURCE_DIR) + "/assets/templates/";
  auto mesh = readObj(dir + "synthetic_bird.obj");
  if (!mesh.ok()) return mesh.error().message;
  auto basis = readNpy(dir + "synthetic_bird_basis.npy");
  if (!basis.ok()) return basis.error().message;
  bird.positions = mesh->positions;
  bird.triangles = mesh->triangles;
  bird.basis.assign(basis->floats().begin(), basis->floats().end());
  if (bird.basis.size() != bird.positions.size() * k) return "synthetic_bird_basis.npy: not N×3×" + std::to_string(k);
  return "";
}

}  // namespace meshrt::test
