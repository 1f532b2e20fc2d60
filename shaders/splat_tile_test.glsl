// The tile test shared by splat_preprocess.comp (counting) and splat_emit.comp
// (writing), so both agree exactly. Its C++ twin is tile_touched in
// engine/render/splat_reference.cpp.

// Whether any pixel centre of tile (tx, ty) can receive alpha >= 1/255 from splat s:
// alpha = opacity * exp(-q/2) with q = d^T conic d, so the tile counts when the minimum
// of q over its pixel centres is <= 2 ln(255 opacity). The minimum of this convex
// quadratic over a rectangle is 0 inside it, else on one of its edges. A small margin
// keeps rounding from dropping a tile that contributes.
bool tile_touched(Splat2D s, uint tx, uint ty, uint width, uint height) {
  const vec2 first = vec2(tx, ty) * float(kTileSize) + 0.5;
  const vec2 last = min(first + float(kTileSize - 1), vec2(width, height) - 0.5);
  const vec2 lo = first - vec2(s.mean_x, s.mean_y);
  const vec2 hi = last - vec2(s.mean_x, s.mean_y);
  if (lo.x <= 0.0 && hi.x >= 0.0 && lo.y <= 0.0 && hi.y >= 0.0) return true;
  const float a = s.conic_a, b = s.conic_b, c = s.conic_c;
  const float limit = 2.0 * log(255.0 * s.opacity) * 1.001 + 1e-3;
  float best = 3.0e38;
  for (int e = 0; e < 2; ++e) {
    const float x = e == 0 ? lo.x : hi.x;  // vertical edge: minimise over y
    const float y = clamp(-b * x / c, lo.y, hi.y);
    best = min(best, a * x * x + 2.0 * b * x * y + c * y * y);
    const float y2 = e == 0 ? lo.y : hi.y;  // horizontal edge: minimise over x
    const float x2 = clamp(-b * y2 / a, lo.x, hi.x);
    best = min(best, a * x2 * x2 + 2.0 * b * x2 * y2 + c * y2 * y2);
  }
  return best <= limit;
}

// Tiles of s's rectangle that pass tile_touched.
uint tiles_of(Splat2D s, uint width, uint height) {
  const uvec2 lo = uvec2(s.rect_min & 0xFFFFu, s.rect_min >> 16);
  const uvec2 hi = uvec2(s.rect_max & 0xFFFFu, s.rect_max >> 16);
  uint count = 0;
  for (uint y = lo.y; y < hi.y; ++y)
    for (uint x = lo.x; x < hi.x; ++x) count += tile_touched(s, x, y, width, height) ? 1u : 0u;
  return count;
}

