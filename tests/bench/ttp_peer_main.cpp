// meshrt_ttp_peer: the C++ side of tools/ttp_lbfgs_peer.py (issue 7, acceptance 4).
//   meshrt_ttp_peer write DIR COUNT    writes the synthetic TTP cases both sides solve
//   meshrt_ttp_peer solve DIR REPEATS  solves them (4 alternations, plain eq. 4), prints JSON
// Files (little-endian float32): DIR/vertices.f32 (N×3), DIR/basis.f32 (N×3×K),
// DIR/points_I.f32 (N×2), DIR/visibility_I.f32 (N); DIR/meta.json {count, vertices, basis}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "heads/ttp_solver.h"
#include "support/ttp_synthetic.h"

namespace {

bool writeFloats(const std::string& path, const std::vector<float>& values) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  return static_cast<bool>(out);
}

std::vector<float> readFloats(const std::string& path, size_t count) {
  std::vector<float> values(count);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (!in) values.clear();
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace meshrt;
  if (argc != 4) {
    std::fprintf(stderr, "usage: meshrt_ttp_peer write DIR COUNT | solve DIR REPEATS\n");
    return 2;
  }
  const std::string mode = argv[1], dir = argv[2];
  const int number = std::atoi(argv[3]);
  if (mode == "write") {
    const auto model = testing::makeTtpModel(16, 7);
    bool ok = writeFloats(dir + "/vertices.f32", model.vertices) && writeFloats(dir + "/basis.f32", model.basis);
    for (int i = 0; i < number && ok; ++i) {
      const auto sample = testing::makeTtpCase(model, {1.0f}, 2000 + static_cast<uint32_t>(i));
      ok = writeFloats(dir + "/points_" + std::to_string(i) + ".f32", sample.points) &&
           writeFloats(dir + "/visibility_" + std::to_string(i) + ".f32", sample.visibility);
    }
    nlohmann::json meta = {{"count", number}, {"vertices", model.vertices.size() / 3}, {"basis", model.basisCount},
                           {"gamma", TtpSolverParams{}.gamma}};
    std::ofstream(dir + "/meta.json") << meta.dump();
    if (!ok) {
      std::fprintf(stderr, "meshrt_ttp_peer: %s: write failed\n", dir.c_str());
      return 1;
    }
    return 0;
  }
  if (mode != "solve") {
    std::fprintf(stderr, "meshrt_ttp_peer: unknown mode %s\n", mode.c_str());
    return 2;
  }
  nlohmann::json meta;
  std::ifstream(dir + "/meta.json") >> meta;
  const size_t n = meta["vertices"], k = meta["basis"];
  const int count = meta["count"];
  const auto vertices = readFloats(dir + "/vertices.f32", n * 3);
  const auto basis = readFloats(dir + "/basis.f32", n * 3 * k);
  const TtpModel model{vertices, basis, static_cast<uint32_t>(k)};
  nlohmann::json losses = nlohmann::json::array();
  double totalSeconds = 0;
  for (int i = 0; i < count; ++i) {
    const auto points = readFloats(dir + "/points_" + std::to_string(i) + ".f32", n * 2);
    const auto visibility = readFloats(dir + "/visibility_" + std::to_string(i) + ".f32", n);
    const TtpSolverParams params;  // 4 alternations, plain eq. 4 (τ = 0), the peer's objective
    Result<TtpSolution> solution = solveTtp(model, {points, visibility}, params);
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < number; ++r) solution = solveTtp(model, {points, visibility}, params);
    totalSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!solution.ok()) {
      std::fprintf(stderr, "meshrt_ttp_peer: case %d: %s\n", i, solution.error().message.c_str());
      return 1;
    }
    losses.push_back(solution->loss);
  }
  nlohmann::json out = {{"ms_per_solve", 1000.0 * totalSeconds / (count * number)}, {"losses", losses}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
