// The tile test shared by splat_preprocess.comp (counting) and splat_emit.comp
// (writing), so both agree exactly, and the coarser test of a tile's 8x4 pixel blocks
// that splat_emit.comp stores in each instance's key for the raster. The tile test's C++
// twin is tile_touched in engine/render/splat_reference.cpp; the block test only skips
// work that would blend nothing, so the images of both renderers check it.

// alpha = opacity * exp(-q/2) with q = d^T conic d reaches 1/255 where q <= this limit;
// the small margin keeps rounding from dropping pixels that blend.
float reach_limit(float opacity) { return 2.0 * log(255.0 * opacity) * 1.001 + 1e-3; }

// The minimum of q over the rectangle [lo, hi] of offsets from the splat's centre: 0
// inside it, else on one of its edges (q is a convex quadratic).
float min_quadratic_over_rect(vec2 lo, vec2 hi, float a, float b, float c) {
  if (lo.x <= 0.0 && hi.x >= 0.0 && lo.y <= 0.0 && hi.y >= 0.0) return 0.0;
  float best = 3.0e38;
  for (int e = 0; e < 2; ++e) {
    const float x = e == 0 ? lo.x : hi.x;  // vertical edge: minimise over y
    const float y = clamp(-b * x / c, lo.y, hi.y);
    best = min(best, a * x * x + 2.0 * b * x * y + c * y * y);
    const float y2 = e == 0 ? lo.y : hi.y;  // horizontal edge: minimise over x
    const float x2 = clamp(-b * y2 / a, lo.x, hi.x);
    best = min(best, a * x2 * x2 + 2.0 * b * x2 * y2 + c * y2 * y2);
  }
  return best;
}

// Whether any pixel centre of tile (tx, ty) can receive alpha >= 1/255 from splat s.
bool tile_touched(Splat2D s, uint tx, uint ty, uint width, uint height) {
  const vec2 first = vec2(tx, ty) * float(kTileSize) + 0.5;
  const vec2 last = min(first + float(kTileSize - 1), vec2(width, height) - 0.5);
  const vec2 centre = vec2(s.mean_x, s.mean_y);
  return min_quadratic_over_rect(first - centre, last - centre, s.conic_a, s.conic_b, s.conic_c) <=
         reach_limit(s.opacity);
}

// The rectangle of tiles in Splat2D's words: its first tile, one past its last, and the
// mask of touched tiles (bit y * width + x; kept only for rectangles of at most
// kSplatOwnTiles tiles, which one invocation walks).
uvec2 rect_start(uint rect_min) { return uvec2(rect_min & 0xFFFFu, rect_min >> 16); }
uvec2 rect_end(uint rect_max) { return uvec2(rect_max & 0xFFFu, (rect_max >> 12) & 0xFFFu); }
uint rect_touched(uint rect_max) { return rect_max >> 24; }
uint pack_rect_end(uvec2 end, uint touched) { return end.x | (end.y << 12) | (touched << 24); }

// The tiles of s's rectangle (at most kSplatOwnTiles) that pass tile_touched, as a mask.
uint touched_tiles(Splat2D s, uint width, uint height) {
  const uvec2 lo = rect_start(s.rect_min), size = rect_end(s.rect_max) - lo;
  uint mask = 0;
  for (uint t = 0; t < size.x * size.y; ++t) {
    if (tile_touched(s, lo.x + t % size.x, lo.y + t / size.x, width, height)) mask |= 1u << t;
  }
  return mask;
}

// Half-extents of the box around the splat's alpha >= 1/255 ellipse q <= limit:
// sqrt(limit * diag(conic^-1)), with a margin for rounding.
vec2 reach_extent(Splat2D s) {
  const float limit = reach_limit(s.opacity);
  const float det = s.conic_a * s.conic_c - s.conic_b * s.conic_b;
  return sqrt(max(limit, 0.0) / max(det, 1e-30) * vec2(s.conic_c, s.conic_a)) + 1e-3;
}

// Bit k set when that box (`extent` from reach_extent) overlaps the pixel centres of the
// tile's k-th 8x4 block (row-major, counted from the tile's top-left `origin`): a
// superset of the blocks the splat blends into, cheap enough to test per instance.
// Blocks past the image edge may be reported: their pixels take no part in blending.
uint blocks_reached(Splat2D s, vec2 extent, uvec2 origin) {
  const vec2 lo_pixel = vec2(origin) + 0.5 - vec2(s.mean_x, s.mean_y);  // the tile's first pixel centre
  const uint blocks_x = kTileSize / kRasterBlockWidth, blocks_y = kTileSize / kRasterBlockHeight;
  // A block overlaps the box where its column and its row both do: test each once.
  uint columns = 0;
  for (uint c = 0; c < blocks_x; ++c) {
    const float lo = lo_pixel.x + float(c * kRasterBlockWidth);
    if (lo <= extent.x && lo + float(kRasterBlockWidth - 1) >= -extent.x) columns |= 1u << c;
  }
  uint mask = 0;
  for (uint r = 0; r < blocks_y; ++r) {
    const float lo = lo_pixel.y + float(r * kRasterBlockHeight);
    if (lo <= extent.y && lo + float(kRasterBlockHeight - 1) >= -extent.y) mask |= columns << (r * blocks_x);
  }
  return mask;
}
