// A glTF 2.0 binary (.glb) reader written from the glTF 2.0 specification, not from our writer
// (core/mesh_io.h writeGlb), for tests: the container (header, chunk types, lengths, 4-byte
// alignment, the file filled exactly), then the JSON's scene -> node -> mesh -> primitive chain,
// the one buffer and its views, the accessors' types, ranges and alignment, indices < the
// vertex count, POSITION min/max against the data, and the base colour texture's image (a PNG
// in a bufferView). Failures are gtest failures (ADD_FAILURE / EXPECT_*) in the calling test.
// Used by tests/core/glb_writer_test.cpp and the demo's export test (tests/e2e/mesh_export_test.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace meshrt::test {

struct GlbContents {
  nlohmann::json json;
  std::vector<uint8_t> bin;  // the BIN chunk's bytes
};

// What checkGlbMesh found: the first primitive's data and the texture's PNG bytes.
struct GlbMesh {
  std::vector<float> positions;   // float3 per vertex
  std::vector<float> uvs;         // float2 per vertex (TEXCOORD_0)
  std::vector<uint32_t> indices;  // 3 per triangle
  std::vector<uint8_t> png;       // the base colour texture's image bytes
};

// The container checks; JSON-level checks are checkGlbMesh's.
GlbContents readGlb(const std::string& path);

// readGlb, then every structural check above; empty fields where a check could not go on.
GlbMesh checkGlbMesh(const std::string& path);

}  // namespace meshrt::test
