// GLSL mirror of runtime/core/raster_math.h: triangle setup (with its depth-order plane),
// coverage (top-left rule on int64 edge functions), interpolation and depth keys. Keep the two
// in step, operation by operation. Needs GL_EXT_shader_explicit_arithmetic_types_int64 and
// raster_params.h. Define RASTER_RULES_WITH_SETUP (and a `positions` vec4 buffer, w unused) to get
// rasterSetupTriangle.

uint rasterOrderableDepth(float depth) {
  uint bits = floatBitsToUint(depth);
  return (bits & 0x80000000u) != 0u ? ~bits : (bits | 0x80000000u);
}

int64_t rasterFloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

bool rasterIsTopLeft(int dx, int dy) { return dy < 0 || (dy == 0 && dx > 0); }

int64_t rasterEdge(int ax, int ay, int bx, int by, int64_t px, int64_t py) {
  return int64_t(bx - ax) * (py - int64_t(ay)) - int64_t(by - ay) * (px - int64_t(ax));
}

#ifdef RASTER_RULES_WITH_SETUP
void rasterSetupKeyPlane(inout RasterTriangle tri, int64_t doubleArea, bool perspective) {
  precise float v0 = perspective ? -tri.invW[0] : tri.depthOverW[0];
  precise float v1 = perspective ? -tri.invW[1] : tri.depthOverW[1];
  precise float v2 = perspective ? -tri.invW[2] : tri.depthOverW[2];
  precise float d1 = v1 - v0;
  precise float d2 = v2 - v0;
  precise float ex1 = float(tri.x[1] - tri.x[0]);
  precise float ey1 = float(tri.y[1] - tri.y[0]);
  precise float ex2 = float(tri.x[2] - tri.x[0]);
  precise float ey2 = float(tri.y[2] - tri.y[0]);
  precise float det = float(doubleArea);
  precise float gxNumerator = d1 * ey2 - d2 * ey1;
  precise float gyNumerator = d2 * ex1 - d1 * ex2;
  tri.keyOrigin = v0;
  tri.keyGradX = gxNumerator / det;
  tri.keyGradY = gyNumerator / det;
}

RasterTriangle rasterSetupTriangle(RasterView view, uint i0, uint i1, uint i2, uint width, uint height, uint flags) {
  RasterTriangle tri;
  uint index[3] = uint[3](i0, i1, i2);
  bool valid = true;
  bool allBeyondFar = true;
  for (int k = 0; k < 3; ++k) {
    vec4 position = positions[index[k]];
    precise float X = position.x;
    precise float Y = position.y;
    precise float Z = position.z;
    precise float camX = view.rotation[0] * X + view.rotation[1] * Y + view.rotation[2] * Z;
    precise float camY = view.rotation[3] * X + view.rotation[4] * Y + view.rotation[5] * Z;
    precise float camZ = view.rotation[6] * X + view.rotation[7] * Y + view.rotation[8] * Z;
    precise float sx, sy;
    if (view.model == RASTER_CAMERA_PERSPECTIVE) {
      precise float z = camZ + view.translation[2];
      if (!(z >= view.nearZ)) valid = false;
      if (!(z > view.farZ)) allBeyondFar = false;
      precise float invZ = 1.0 / z;
      sx = view.fx * ((camX + view.translation[0]) * invZ) + view.cx;
      sy = view.fy * ((camY + view.translation[1]) * invZ) + view.cy;
      tri.invW[k] = invZ;
      tri.depthOverW[k] = 1.0;
    } else {
      allBeyondFar = false;
      precise float nx = view.weakScale * camX + view.translation[0];
      precise float ny = view.weakScale * camY + view.translation[1];
      sx = (nx + 1.0) * (0.5 * float(width));
      sy = (ny + 1.0) * (0.5 * float(height));
      tri.invW[k] = 1.0;
      tri.depthOverW[k] = camZ;
    }
    const float guard = float(RASTER_GUARD_BAND);
    if (!(sx >= -guard && sx <= guard && sy >= -guard && sy <= guard)) {
      valid = false;
      sx = 0.0;
      sy = 0.0;
    }
    precise float snappedX = sx * float(RASTER_SUBPIXEL_SCALE) + 0.5;
    precise float snappedY = sy * float(RASTER_SUBPIXEL_SCALE) + 0.5;
    tri.x[k] = int(floor(snappedX));
    tri.y[k] = int(floor(snappedY));
  }
  if (allBeyondFar) valid = false;

  int64_t area = rasterEdge(tri.x[0], tri.y[0], tri.x[1], tri.y[1], int64_t(tri.x[2]), int64_t(tri.y[2]));
  if (area == 0) valid = false;
  if ((flags & RASTER_FLAG_CULL_BACK) != 0u && area > 0) valid = false;
  uint triFlags = 0u;
  if (area < 0) {
    int tx = tri.x[1]; tri.x[1] = tri.x[2]; tri.x[2] = tx;
    int ty = tri.y[1]; tri.y[1] = tri.y[2]; tri.y[2] = ty;
    float tw = tri.invW[1]; tri.invW[1] = tri.invW[2]; tri.invW[2] = tw;
    float td = tri.depthOverW[1]; tri.depthOverW[1] = tri.depthOverW[2]; tri.depthOverW[2] = td;
    triFlags |= RASTER_TRI_FLIPPED;
  }
  int minX = min(tri.x[0], min(tri.x[1], tri.x[2]));
  int maxX = max(tri.x[0], max(tri.x[1], tri.x[2]));
  int minY = min(tri.y[0], min(tri.y[1], tri.y[2]));
  int maxY = max(tri.y[0], max(tri.y[1], tri.y[2]));
  const int64_t s = int64_t(RASTER_SUBPIXEL_SCALE);
  const int64_t halfPixel = int64_t(RASTER_SUBPIXEL_HALF);
  int64_t firstX = -rasterFloorDiv(-(int64_t(minX) - halfPixel), s);
  int64_t lastX = rasterFloorDiv(int64_t(maxX) - halfPixel, s);
  int64_t firstY = -rasterFloorDiv(-(int64_t(minY) - halfPixel), s);
  int64_t lastY = rasterFloorDiv(int64_t(maxY) - halfPixel, s);
  firstX = max(firstX, int64_t(0));
  firstY = max(firstY, int64_t(0));
  lastX = min(lastX, int64_t(width) - 1);
  lastY = min(lastY, int64_t(height) - 1);
  if (firstX > lastX || firstY > lastY) valid = false;
  tri.tileMin = 0u;
  tri.tileMax = 0u;
  tri.keyOrigin = 0.0;
  tri.keyGradX = 0.0;
  tri.keyGradY = 0.0;
  if (valid) {
    rasterSetupKeyPlane(tri, area < 0 ? -area : area, view.model == RASTER_CAMERA_PERSPECTIVE);
    triFlags |= RASTER_TRI_VALID;
    tri.tileMin = uint(firstX / int64_t(RASTER_TILE_SIZE)) | (uint(firstY / int64_t(RASTER_TILE_SIZE)) << 16);
    tri.tileMax = uint(lastX / int64_t(RASTER_TILE_SIZE)) | (uint(lastY / int64_t(RASTER_TILE_SIZE)) << 16);
  }
  tri.flags = triFlags;
  tri.pad[0] = 0u;
  tri.pad[1] = 0u;
  return tri;
}
#endif  // RASTER_RULES_WITH_SETUP

bool rasterCovers(RasterTriangle tri, uint px, uint py, out int64_t e[3]) {
  int64_t cx = int64_t(px) * int64_t(RASTER_SUBPIXEL_SCALE) + int64_t(RASTER_SUBPIXEL_HALF);
  int64_t cy = int64_t(py) * int64_t(RASTER_SUBPIXEL_SCALE) + int64_t(RASTER_SUBPIXEL_HALF);
  bool inside = true;
  for (int k = 0; k < 3; ++k) {
    int a = (k + 1) % 3, b = (k + 2) % 3;
    e[k] = rasterEdge(tri.x[a], tri.y[a], tri.x[b], tri.y[b], cx, cy);
    bool topLeft = rasterIsTopLeft(tri.x[b] - tri.x[a], tri.y[b] - tri.y[a]);
    inside = inside && (e[k] > 0 || (e[k] == 0 && topLeft));
  }
  return inside;
}

// rasterKeyDepth() at a pixel centre given as offsets from vertex 0 (sub-pixel units, int32).
float rasterKeyDepthAt(RasterTriangle tri, int offsetX, int offsetY) {
  precise float dx = float(offsetX);
  precise float dy = float(offsetY);
  precise float alongX = tri.keyGradX * dx;
  precise float alongY = tri.keyGradY * dy;
  precise float q = (tri.keyOrigin + alongX) + alongY;
  return q;
}

float rasterInterpolate(RasterTriangle tri, int64_t e[3], out float perspectiveBary[3]) {
  precise float area = float(e[0] + e[1] + e[2]);
  precise float b0 = float(e[0]) / area;
  precise float b1 = float(e[1]) / area;
  precise float b2 = float(e[2]) / area;
  precise float w0 = b0 * tri.invW[0];
  precise float w1 = b1 * tri.invW[1];
  precise float w2 = b2 * tri.invW[2];
  precise float sumW = w0 + w1 + w2;
  precise float sumD = b0 * tri.depthOverW[0] + b1 * tri.depthOverW[1] + b2 * tri.depthOverW[2];
  perspectiveBary[0] = w0 / sumW;
  perspectiveBary[1] = w1 / sumW;
  perspectiveBary[2] = w2 / sumW;
  precise float depth = sumD / sumW;
  return depth;
}
