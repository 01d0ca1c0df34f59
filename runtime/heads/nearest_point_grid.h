// Nearest-point queries over 2D points (heads/silhouette_fit.cpp): points bucketed in square
// cells over a width × height area, rings of cells searched outward until no unvisited cell can
// hold a nearer point. Points outside the area go to the nearest border cell; the search bound
// accounts for that, so every query is exact (checked against brute force in
// tests/heads/silhouette_fit_test.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace meshrt {

struct Point2 {
  double x = 0, y = 0;
};

inline double distance2(const Point2& a, const Point2& b) {
  return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

class NearestPointGrid {
 public:
  NearestPointGrid(uint32_t width, uint32_t height, uint32_t cell)
      : mCell(cell), mColumns((width + cell - 1) / cell), mRows((height + cell - 1) / cell) {}

  // Keeps a pointer to `points`: rebuild after they change, keep them alive while querying.
  void build(const std::vector<Point2>& points) {
    mPoints = &points;
    mStart.assign(size_t(mColumns) * mRows + 1, 0);
    mOrder.resize(points.size());
    for (const Point2& p : points) ++mStart[bucketOf(p) + 1];
    for (size_t b = 1; b < mStart.size(); ++b) mStart[b] += mStart[b - 1];
    std::vector<uint32_t> fill(mStart.begin(), mStart.end() - 1);
    for (uint32_t i = 0; i < points.size(); ++i) mOrder[fill[bucketOf(points[i])]++] = i;
  }

  // Index of the nearest point (the lowest index among equals) and its squared distance; with no
  // points, {0, +infinity}. Coordinates must be finite.
  std::pair<uint32_t, double> nearest(const Point2& q) const {
    const int64_t cx = columnOf(q.x), cy = rowOf(q.y);
    uint32_t best = 0;
    double bestDistance = std::numeric_limits<double>::infinity();
    const int64_t maxRing = std::max<int64_t>(mColumns, mRows);
    for (int64_t ring = 0; ring <= maxRing; ++ring) {
      for (int64_t y = cy - ring; y <= cy + ring; ++y) {
        if (y < 0 || y >= int64_t(mRows)) continue;
        const bool edgeRow = y == cy - ring || y == cy + ring;
        for (int64_t x = cx - ring; x <= cx + ring; x += edgeRow ? 1 : 2 * std::max<int64_t>(ring, 1)) {
          if (x < 0 || x >= int64_t(mColumns)) continue;
          const size_t bucket = size_t(y) * mColumns + size_t(x);
          for (uint32_t k = mStart[bucket]; k < mStart[bucket + 1]; ++k) {
            const uint32_t index = mOrder[k];
            const double d = distance2(q, (*mPoints)[index]);
            if (d < bestDistance || (d == bestDistance && index < best)) {
              bestDistance = d;
              best = index;
            }
          }
        }
      }
      // Every point not yet visited lies outside the block of cells within `ring`: at least
      // this far from q (0 when q itself is outside the block, i.e. outside the area).
      const double left = q.x - double((cx - ring) * mCell), right = double((cx + ring + 1) * mCell) - q.x;
      const double top = q.y - double((cy - ring) * mCell), bottom = double((cy + ring + 1) * mCell) - q.y;
      const double bound = std::max(0.0, std::min({left, right, top, bottom}));
      if (bestDistance < bound * bound) break;  // strict: an equal point of lower index may wait
    }
    return {best, bestDistance};
  }

 private:
  // Clamped in double first: a far-away (finite) coordinate must not overflow the integer.
  int64_t columnOf(double x) const { return int64_t(std::clamp(std::floor(x / mCell), 0.0, double(mColumns - 1))); }
  int64_t rowOf(double y) const { return int64_t(std::clamp(std::floor(y / mCell), 0.0, double(mRows - 1))); }
  size_t bucketOf(const Point2& p) const { return size_t(rowOf(p.y)) * mColumns + size_t(columnOf(p.x)); }

  uint32_t mCell, mColumns, mRows;
  const std::vector<Point2>* mPoints = nullptr;
  std::vector<uint32_t> mStart, mOrder;
};

}  // namespace meshrt
