// The tile loop shared by splat_raster.comp (colour) and splat_importance.comp (each
// Gaussian's blending weight): front-to-back alpha blending of the splats covering one
// 16x16 tile, a workgroup per tile, splats fetched in batches of 256 into shared
// memory (each batch's global loads issued while the one before blends). Same rules as the 3DGS reference: alpha capped at 0.99, alpha < 1/255
// skipped, stop once transmittance would fall below 1e-4. Its C++ twins are the
// blending loops of engine/render/splat_reference.cpp and splat_importance.cpp.
//
// The including shader declares `params`, `ranges`, `values` and `splats`, then these
// hooks, all inlined by the compiler, so the
// raster pays nothing for them:
//   void on_fetch(uint slot, uint gaussian)  slot `slot` of the batch now holds `gaussian`
//   void on_blend(uint slot, float alpha, float T)  the slot's splat blends into this pixel
//   void on_batch_end(uint slot, uint batch_size)  after every pixel blended the batch
//                                                  (behind a barrier)
//   uint fetch_blocks(uint instance, Splat2D s, uvec2 tile)  the tile's 8x4 blocks
//       (blocks_reached) that instance `instance` of splat `s` may blend into
//
// Invocation i of the workgroup shades pixel tile_pixel(i): consecutive runs of 32
// invocations (a subgroup on most GPUs) cover one 8x4 block, and each batch entry
// carries the blocks its splat reaches, so a block skips a splat with one uniform test.

const uint kBatch = kRasterWorkgroupSize;
const float kLog2e = 1.4426950408889634;
shared vec4 batch_mean_opacity[kBatch];  // mean x, mean y, opacity, power cutoff (log2 units)
shared vec4 batch_conic[kBatch];         // (-conic_a / 2, -conic_b, -conic_c / 2) * log2(e), depth
shared vec4 batch_color[kBatch];         // rgb
shared uint batch_blocks[kBatch];        // bit k: the splat reaches block k (blocks_reached)
shared uint done_count;

// Offset within its tile of the pixel that invocation `index` shades.
uvec2 tile_pixel(uint index) {
  const uint block = index / kRasterBlockPixels, lane = index % kRasterBlockPixels;
  const uint blocks_x = kTileSize / kRasterBlockWidth;
  return uvec2((block % blocks_x) * kRasterBlockWidth + lane % kRasterBlockWidth,
               (block / blocks_x) * kRasterBlockHeight + lane / kRasterBlockWidth);
}

// Entries blended per step of the loop (see blend_tile): 4 measured faster than 2 or 8.
const uint kBlendUnroll = 4;

// The entry of the next batch that this invocation fetches, loaded into registers while
// the current batch blends.
uint next_gaussian = 0, next_blocks = 0;
Splat2D next_splat;

void load_entry(uint fetch, uvec2 tile) {
  next_gaussian = values[fetch];
  next_splat = splats[next_gaussian];
  next_blocks = fetch_blocks(fetch, next_splat, tile);
}

void store_entry(uint slot) {
  const Splat2D s = next_splat;
  // Below `cutoff` the power gives alpha < 1/255 without evaluating exp; the small
  // margin leaves borderline pixels to the exact test.
  const float cutoff = (-log(255.0 * s.opacity) - 1e-3) * kLog2e;
  batch_mean_opacity[slot] = vec4(s.mean_x, s.mean_y, s.opacity, cutoff);
  batch_conic[slot] = vec4(vec3(-0.5 * s.conic_a, -s.conic_b, -0.5 * s.conic_c) * kLog2e, s.depth);
  batch_color[slot] = vec4(s.r, s.g, s.b, 0.0);
  batch_blocks[slot] = next_blocks;
  on_fetch(slot, next_gaussian);
}

// Blends the tile's splats `range` at pixel centre `pixf` (`inside` false for pixels past
// the image edge, which still take part in the workgroup's barriers); splats at depth
// `opaque_depth` or beyond are hidden. Returns the transmittance left.
float blend_tile(uvec2 tile, uvec2 range, bool inside, vec2 pixf, float opaque_depth) {
  const uint tid = gl_LocalInvocationIndex;
  const uint block_bit = 1u << (tid / kRasterBlockPixels);
  bool done = !inside;
  float T = 1.0;
  if (range.x + tid < range.y) load_entry(range.x + tid, tile);
  for (uint start = range.x; start < range.y; start += kBatch) {
    if (tid == 0) done_count = 0;
    barrier();
    if (done) atomicAdd(done_count, 1u);
    const uint fetch = start + tid;
    if (fetch < range.y) store_entry(tid);
    barrier();
    if (done_count == kBatch) break;  // every pixel of the tile is saturated
    // The next batch's loads are issued now and waited for only at its store, after
    // this batch has blended.
    if (fetch + kBatch < range.y) load_entry(fetch + kBatch, tile);
    const uint batch_size = min(kBatch, range.y - start);
    // Splats come front to back: the first one at or behind the surface ends the pixel.
    // Depths ascend through the batch, so a search finds it once instead of a test per splat.
    uint end = batch_size;
    if (opaque_depth < 3.0e38) {
      uint lo = 0;
      while (lo < end) {
        const uint mid = (lo + end) / 2;
        if (batch_conic[mid].w >= opaque_depth) end = mid;
        else lo = mid + 1;
      }
    }
    uint j = 0;
    // kBlendUnroll entries at a time: their alphas do not depend on each other, so their
    // reads and exponentials overlap; only the compositing below runs in order.
    for (; j + kBlendUnroll <= end && !done; j += kBlendUnroll) {
      uint reach = 0u;
      for (uint u = 0; u < kBlendUnroll; ++u) reach |= batch_blocks[j + u];
      if ((reach & block_bit) == 0u) continue;
      float alpha[kBlendUnroll];
      for (uint u = 0; u < kBlendUnroll; ++u) {
        const vec4 co = batch_conic[j + u];
        const vec4 mo = batch_mean_opacity[j + u];
        const vec2 d = mo.xy - pixf;
        const float power = co.x * d.x * d.x + co.z * d.y * d.y + co.y * d.x * d.y;
        // exp2 for every entry, the rejected ones' results dropped: cheaper than branching.
        const float a = min(0.99, mo.z * exp2(min(power, 0.0)));
        const bool blends = (batch_blocks[j + u] & block_bit) != 0u && power <= 0.0 && power >= mo.w && a >= 1.0 / 255.0;
        alpha[u] = blends ? a : 0.0;
      }
      for (uint u = 0; u < kBlendUnroll; ++u) {
        if (alpha[u] == 0.0) continue;
        const float next_T = T * (1.0 - alpha[u]);
        if (next_T < 0.0001) {
          done = true;
          break;
        }
        on_blend(j + u, alpha[u], T);
        T = next_T;
      }
    }
    for (; j < end && !done; ++j) {  // the last entries of the batch, one at a time
      if ((batch_blocks[j] & block_bit) == 0u) continue;
      const vec4 co = batch_conic[j];
      const vec4 mo = batch_mean_opacity[j];
      const vec2 d = mo.xy - pixf;
      const float power = co.x * d.x * d.x + co.z * d.y * d.y + co.y * d.x * d.y;
      if (power > 0.0 || power < mo.w) continue;
      const float alpha = min(0.99, mo.z * exp2(power));
      if (alpha < 1.0 / 255.0) continue;
      const float next_T = T * (1.0 - alpha);
      if (next_T < 0.0001) {
        done = true;
        break;
      }
      on_blend(j, alpha, T);
      T = next_T;
    }
    if (end < batch_size) done = true;  // the surface hides the rest
    barrier();
    on_batch_end(tid, batch_size);
  }
  return T;
}
