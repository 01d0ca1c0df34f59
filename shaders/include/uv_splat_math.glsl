// GLSL mirror of runtime/core/uv_splat_math.h: quads, the inverse bilinear map, weights and the
// UV gradient of one (texel, quad) entry. Keep the two in step, operation by operation;
// `precise` keeps the compiler from fusing or reassociating. Needs uv_splat_params.h, the push
// constant `p` (UvSplatPush) and the buffers `uvs` (float) and `pixelIds` (uint).

struct UvQuad {
  float x[4];  // corners p1..p4 in texel space (texel (i, j) has its centre at (i, j))
  float y[4];
};

// Pixel index (y * W + x) of corner k (0..3, ring order) of quad (qx, qy).
uint uvSplatCornerPixel(uint qx, uint qy, int k) {
  uint dx = (k == 1 || k == 2) ? 1u : 0u;
  uint dy = k >= 2 ? 1u : 0u;
  return (qy + dy) * p.imageWidth + qx + dx;
}

float uvSplatU(uint pixel) { return uvs[(p.firstPixel + pixel) * p.uvStride + p.uvOffset]; }
float uvSplatV(uint pixel) { return uvs[(p.firstPixel + pixel) * p.uvStride + p.uvOffset + 1u]; }
bool uvSplatOnObject(uint pixel) { return pixelIds[p.firstPixel + pixel] != UV_SPLAT_OFF_OBJECT; }

// Loads quad (qx, qy) in texel space. With `checkUse`, returns false unless the quad is used:
// all four pixels on the object, all UVs finite, u and v extents <= p.maxQuadExtent.
bool uvSplatLoadQuad(uint qx, uint qy, bool checkUse, out UvQuad quad) {
  float u[4], v[4];
  for (int k = 0; k < 4; ++k) {
    uint pixel = uvSplatCornerPixel(qx, qy, k);
    if (checkUse && !uvSplatOnObject(pixel)) return false;
    u[k] = uvSplatU(pixel);
    v[k] = uvSplatV(pixel);
    if (checkUse && (isnan(u[k]) || isinf(u[k]) || isnan(v[k]) || isinf(v[k]))) return false;
  }
  if (checkUse) {
    float minU = u[0], maxU = u[0], minV = v[0], maxV = v[0];
    for (int k = 1; k < 4; ++k) {
      minU = min(minU, u[k]);
      maxU = max(maxU, u[k]);
      minV = min(minV, v[k]);
      maxV = max(maxV, v[k]);
    }
    precise float extentU = maxU - minU;
    precise float extentV = maxV - minV;
    if (!(extentU <= p.maxQuadExtent) || !(extentV <= p.maxQuadExtent)) return false;
  }
  for (int k = 0; k < 4; ++k) {
    precise float x = u[k] * float(p.textureWidth) - 0.5;
    precise float y = v[k] * float(p.textureHeight) - 0.5;
    quad.x[k] = x;
    quad.y[k] = y;
  }
  return true;
}

// Candidate texels as (i0, i1, j0, j1), inclusive; empty when i0 > i1 or j0 > j1.
ivec4 uvSplatCandidateTexels(UvQuad q) {
  float minX = q.x[0], maxX = q.x[0], minY = q.y[0], maxY = q.y[0];
  for (int k = 1; k < 4; ++k) {
    minX = min(minX, q.x[k]);
    maxX = max(maxX, q.x[k]);
    minY = min(minY, q.y[k]);
    maxY = max(maxY, q.y[k]);
  }
  float lowX = max(0.0, ceil(minX)), highX = min(float(p.textureWidth - 1u), floor(maxX));
  float lowY = max(0.0, ceil(minY)), highY = min(float(p.textureHeight - 1u), floor(maxY));
  if (!(lowX <= highX) || !(lowY <= highY)) return ivec4(1, 0, 1, 0);
  return ivec4(int(lowX), int(highX), int(lowY), int(highY));
}

// All four pixels of quad (qx, qy) on the object.
bool uvSplatQuadOnObject(uint qx, uint qy) {
  return uvSplatOnObject(uvSplatCornerPixel(qx, qy, 0)) && uvSplatOnObject(uvSplatCornerPixel(qx, qy, 1)) &&
         uvSplatOnObject(uvSplatCornerPixel(qx, qy, 2)) && uvSplatOnObject(uvSplatCornerPixel(qx, qy, 3));
}

// A non-empty candidate box wider or taller than one CPU-device invocation may take
// (p.insertMaxSide): such quads go to the wide list, a 32 x 32 tile per invocation.
bool uvSplatWideBox(ivec4 range) {
  return range.x <= range.y && range.z <= range.w &&
         (uint(range.y - range.x + 1) > p.insertMaxSide || uint(range.w - range.z + 1) > p.insertMaxSide);
}

// Tile `tile` of the box `range` (row-major tiles of UV_SPLAT_INSERT_TILE texels, p.insertTilesX
// per row) as (i0, i1, j0, j1), inclusive; empty (i0 > i1 or j0 > j1) past the box.
ivec4 uvSplatCandidateTile(ivec4 range, uint tile) {
  int tileSize = int(UV_SPLAT_INSERT_TILE);
  int i0 = range.x + int(tile % p.insertTilesX) * tileSize, j0 = range.z + int(tile / p.insertTilesX) * tileSize;
  return ivec4(i0, min(range.y, i0 + tileSize - 1), j0, min(range.w, j0 + tileSize - 1));
}

// The inverse bilinear map: (s, t) in [0, 1]^2 with P(s, t) = (px, py), or false (outside).
bool uvSplatInverseBilinear(UvQuad q, float px, float py, out float sOut, out float tOut) {
  sOut = 0.0;
  tOut = 0.0;
  precise float ex = q.x[1] - q.x[0], ey = q.y[1] - q.y[0];
  precise float fx = q.x[3] - q.x[0], fy = q.y[3] - q.y[0];
  precise float gx = q.x[0] - q.x[1] + q.x[2] - q.x[3], gy = q.y[0] - q.y[1] + q.y[2] - q.y[3];
  precise float hx = px - q.x[0], hy = py - q.y[0];
  precise float k2 = gx * fy - gy * fx;
  precise float k1 = (ex * fy - ey * fx) + (hx * gy - hy * gx);
  precise float k0 = hx * ey - hy * ex;
  precise float disc = k1 * k1 - 4.0 * k0 * k2;
  if (!(disc >= 0.0)) return false;
  precise float sq = sqrt(disc);
  precise float qq = -0.5 * (k1 + (k1 >= 0.0 ? sq : -sq));
  for (int candidate = 0; candidate < 2; ++candidate) {
    float denominator = candidate == 0 ? qq : k2;
    if (denominator == 0.0) continue;
    precise float t = candidate == 0 ? k0 / qq : qq / k2;
    if (!(t >= 0.0 && t <= 1.0)) continue;
    precise float dx = ex + t * gx;
    precise float dy = ey + t * gy;
    bool useX = abs(dx) >= abs(dy);
    float sDenominator = useX ? dx : dy;
    if (sDenominator == 0.0) continue;
    precise float s = useX ? (hx - t * fx) / dx : (hy - t * fy) / dy;
    if (!(s >= 0.0 && s <= 1.0)) continue;
    sOut = s;
    tOut = t;
    return true;
  }
  return false;
}

// Bilinear weights of corners p1..p4 at (s, t).
vec4 uvSplatWeights(float s, float t) {
  precise float w0 = (1.0 - s) * (1.0 - t);
  precise float w1 = s * (1.0 - t);
  precise float w2 = s * t;
  precise float w3 = (1.0 - s) * t;
  return vec4(w0, w1, w2, w3);
}

// lambda = -J^{-T} (gs, gt) for dL/dw = dw; false when J is singular (no UV gradient).
bool uvSplatPositionGradient(UvQuad q, float s, float t, vec4 dw, out vec2 lambda) {
  lambda = vec2(0.0);
  precise float gs = dw.x * -(1.0 - t) + dw.y * (1.0 - t) + dw.z * t + dw.w * -t;
  // Paired as in runtime/core/uv_splat_math.h: equal dw cancel exactly.
  precise float gt = dw.x * -(1.0 - s) + dw.w * (1.0 - s) + dw.y * -s + dw.z * s;
  precise float ex = q.x[1] - q.x[0], ey = q.y[1] - q.y[0];
  precise float fx = q.x[3] - q.x[0], fy = q.y[3] - q.y[0];
  precise float gx = q.x[0] - q.x[1] + q.x[2] - q.x[3], gy = q.y[0] - q.y[1] + q.y[2] - q.y[3];
  precise float j00 = ex + t * gx, j10 = ey + t * gy;
  precise float j01 = fx + s * gx, j11 = fy + s * gy;
  precise float det = j00 * j11 - j01 * j10;
  if (det == 0.0) return false;
  precise float lx = -(j11 * gs - j10 * gt) / det;
  precise float ly = -(j00 * gt - j01 * gs) / det;
  lambda = vec2(lx, ly);
  return true;
}
