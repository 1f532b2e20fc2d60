// The tile loop shared by splat_raster.comp (colour) and splat_importance.comp (each
// Gaussian's blending weight): front-to-back alpha blending of the splats covering one
// 16x16 tile, a workgroup per tile, splats fetched in batches of 256 into shared
// memory (each batch's global loads issued while the one before blends). Same rules as the 3DGS reference: alpha capped at 0.99, alpha < 1/255
// skipped, stop once transmittance would fall below 1e-4. Its C++ twins are the
// blending loops of engine/render/splat_reference.cpp and splat_importance.cpp.
//
// The including shader declares `params`, `tile_ranges` (shaderio.h's layout), `values`
// and `splat_scalars` (splat_record.glsl), then these hooks, all inlined by the compiler,
// so the raster pays nothing for them:
//   void on_fetch(uint slot, uint gaussian)  slot `slot` of the batch now holds `gaussian`
//   void on_blend(uint slot, float alpha, float T)  the slot's splat blends into this pixel
//   void on_batch_end(uint slot, uint batch_size)  after every pixel blended the batch
//                                                  (behind a barrier)
//   uint fetch_blocks(uint instance, uvec2 tile)  the tile's 8x4 blocks
//       (blocks_reached) that instance `instance` may blend into
//
// Invocation i of the workgroup shades pixel tile_pixel(i): consecutive runs of 32
// invocations (a subgroup on most GPUs) cover one 8x4 block. Each batch entry carries
// the blocks its splat reaches; from those, every block lists, in order, the entries
// that reach it, and walks only its list, four entries a step. (Walking the whole batch
// and skipping entries by a test on their block masks left the four-entry steps mostly
// empty: most splats reach one or two of the tile's eight blocks.)
//
// The including shader enables GL_KHR_shader_subgroup_ballot.

#include "splat_record.glsl"

const uint kBatch = kRasterWorkgroupSize;
const uint kBatchWords = kBatch / 32;  // 32-entry words of a block's entry mask
const float kLog2e = 1.4426950408889634;
shared vec4 batch_mean_opacity[kBatch];  // mean x, mean y, opacity, power cutoff (log2 units)
shared vec4 batch_conic[kBatch];         // (-conic_a / 2, -conic_b, -conic_c / 2) * log2(e), depth
shared vec4 batch_color[kBatch];         // rgb
// Bit e of word (block * kBatchWords + w): entry 32 w + e reaches the block (blocks_reached).
shared uint batch_block_bits[kRasterBlocksPerTile * kBatchWords];
// Per block, the batch entries that reach it in batch order, four to a uvec4.
shared uvec4 block_entries[kRasterBlocksPerTile * kBatch / 4];
shared uint done_count;

// The tile's instances: [first, one past the last); empty where first > last.
uvec2 tile_range(uvec2 tile) {
  const uint index = tile.y * params.tiles_x + tile.x;
  return uvec2(tile_ranges[index], tile_ranges[params.tiles_x * params.tiles_y + index]);
}

// Offset within its tile of the pixel that invocation `index` shades.
uvec2 tile_pixel(uint index) {
  const uint block = index / kRasterBlockPixels, lane = index % kRasterBlockPixels;
  const uint blocks_x = kTileSize / kRasterBlockWidth;
  return uvec2((block % blocks_x) * kRasterBlockWidth + lane % kRasterBlockWidth,
               (block / blocks_x) * kRasterBlockHeight + lane / kRasterBlockWidth);
}

// Entries blended per step of the loop (see blend_tile), one uvec4 of a block's list: 4
// measured faster than 2 or 8 when the loop walked the whole batch.
const uint kBlendUnroll = 4;

// The entry of the next batch that this invocation fetches, loaded into registers while
// the current batch blends.
uint next_gaussian = 0, next_blocks = 0;
Splat2D next_splat;

void load_entry(uint fetch, uvec2 tile) {
  next_gaussian = values[fetch];
  next_splat = load_splat(next_gaussian);
  next_blocks = fetch_blocks(fetch, tile);
}

// Writes splat `s` into batch slot `slot`.
void store_splat(uint slot, Splat2D s) {
  // Below `cutoff` the power gives alpha < 1/255 without evaluating exp; the small
  // margin leaves borderline pixels to the exact test.
  const float cutoff = (-log(255.0 * s.opacity) - 1e-3) * kLog2e;
  batch_mean_opacity[slot] = vec4(s.mean_x, s.mean_y, s.opacity, cutoff);
  batch_conic[slot] = vec4(vec3(-0.5 * s.conic_a, -s.conic_b, -0.5 * s.conic_c) * kLog2e, s.depth);
  batch_color[slot] = vec4(s.r, s.g, s.b, 0.0);
}

void store_entry(uint slot) {
  store_splat(slot, next_splat);
  on_fetch(slot, next_gaussian);
}

// Sets the bits of batch_block_bits for entry gl_LocalInvocationIndex, which reaches the
// blocks of `blocks` (zero past the batch's end). `words_are_subgroups`: the 32 entries of
// each word are one subgroup in lane order, so ballots write whole words; elsewhere
// shared atomics set the bits (on words zeroed before).
void mark_blocks(uint blocks, bool words_are_subgroups) {
  const uint tid = gl_LocalInvocationIndex;
  if (words_are_subgroups) {
    uint word = 0;
    for (uint b = 0; b < kRasterBlocksPerTile; ++b) {
      const uint ballot = subgroupBallot(((blocks >> b) & 1u) != 0u).x;
      if (gl_SubgroupInvocationID == b) word = ballot;
    }
    if (gl_SubgroupInvocationID < kRasterBlocksPerTile) {
      batch_block_bits[gl_SubgroupInvocationID * kBatchWords + tid / 32] = word;
    }
    return;
  }
  while (blocks != 0u) {
    const uint b = findLSB(blocks);
    blocks &= blocks - 1u;
    atomicOr(batch_block_bits[b * kBatchWords + tid / 32], 1u << (tid % 32));
  }
}

// Writes this invocation's block's list of entries (each of the block's 32 invocations
// places the entries of its bit in every word); returns how many of them come before
// entry `end`.
uint list_block_entries(uint end) {
  const uint block = gl_LocalInvocationIndex / kRasterBlockPixels, lane = gl_LocalInvocationIndex % 32;
  uint count = 0, before_end = 0;
  for (uint w = 0; w < kBatchWords; ++w) {
    const uint word = batch_block_bits[block * kBatchWords + w];
    if (((word >> lane) & 1u) != 0u) {
      const uint at = block * kBatch + count + bitCount(word & ((1u << lane) - 1u));
      block_entries[at / 4][at % 4] = w * 32 + lane;
    }
    count += bitCount(word);
    const uint below = end <= w * 32 ? 0u : end - w * 32;
    before_end += bitCount(below >= 32 ? word : word & ((1u << below) - 1u));
  }
  return before_end;
}

// Blends the first `count` of the batch entries `entries` into the pixel at `pixf`: their
// alphas do not depend on each other, so their reads and exponentials overlap; only the
// compositing runs in order.
void blend_step(uvec4 entries, uint count, vec2 pixf, inout float T, inout bool done) {
  float alpha[kBlendUnroll];
  for (uint u = 0; u < kBlendUnroll; ++u) {
    const uint e = u < count ? entries[u] : 0u;
    const vec4 co = batch_conic[e];
    const vec4 mo = batch_mean_opacity[e];
    const vec2 d = mo.xy - pixf;
    const float power = co.x * d.x * d.x + co.z * d.y * d.y + co.y * d.x * d.y;
    // exp2 for every entry, the rejected ones' results dropped: cheaper than branching.
    const float a = min(0.99, mo.z * exp2(min(power, 0.0)));
    alpha[u] = u < count && power <= 0.0 && power >= mo.w && a >= 1.0 / 255.0 ? a : 0.0;
  }
  for (uint u = 0; u < kBlendUnroll; ++u) {
    if (alpha[u] == 0.0) continue;
    const float next_T = T * (1.0 - alpha[u]);
    if (next_T < 0.0001) {
      done = true;
      return;
    }
    on_blend(entries[u], alpha[u], T);
    T = next_T;
  }
}

// Of the `count` batch entries from slot `first`, depth ascending, how many lie in front
// of `opaque_depth`: splats come front to back, so the first one at or behind an opaque
// surface ends the pixel, and a search finds it once instead of a test per splat.
uint first_hidden(uint first, uint count, float opaque_depth) {
  uint end = count;
  if (opaque_depth < 3.0e38) {
    uint lo = 0;
    while (lo < end) {
      const uint mid = (lo + end) / 2;
      if (batch_conic[first + mid].w >= opaque_depth) end = mid;
      else lo = mid + 1;
    }
  }
  return end;
}

// Blends the tile's splats `range` at pixel centre `pixf` (`inside` false for pixels past
// the image edge, which still take part in the workgroup's barriers); splats at depth
// `opaque_depth` or beyond are hidden. Returns the transmittance left.
float blend_tile(uvec2 tile, uvec2 range, bool inside, vec2 pixf, float opaque_depth) {
  const uint tid = gl_LocalInvocationIndex;
  const uint list_base = (tid / kRasterBlockPixels) * (kBatch / 4);
  const bool words_are_subgroups =
      subgroupAll(gl_SubgroupSize == 32 && gl_SubgroupInvocationID == tid % 32 && subgroupAllEqual(tid / 32));
  bool done = !inside;
  float T = 1.0;
  if (range.x + tid < range.y) load_entry(range.x + tid, tile);
  for (uint start = range.x; start < range.y; start += kBatch) {
    if (tid == 0) done_count = 0;
    if (tid < kRasterBlocksPerTile * kBatchWords) batch_block_bits[tid] = 0;
    barrier();
    if (done) atomicAdd(done_count, 1u);
    const uint fetch = start + tid;
    if (fetch < range.y) store_entry(tid);
    mark_blocks(fetch < range.y ? next_blocks : 0u, words_are_subgroups);
    barrier();
    if (done_count == kBatch) break;  // every pixel of the tile is saturated
    // The next batch's loads are issued now and waited for only at its store, after
    // this batch has blended.
    if (fetch + kBatch < range.y) load_entry(fetch + kBatch, tile);
    const uint batch_size = min(kBatch, range.y - start);
    const uint end = first_hidden(0, batch_size, opaque_depth);
    const uint listed = list_block_entries(end);
    barrier();  // the lists are written (a block's invocations may span subgroups)
    for (uint j = 0; j < listed && !done; j += kBlendUnroll) {
      blend_step(block_entries[list_base + j / 4], min(kBlendUnroll, listed - j), pixf, T, done);
    }
    if (end < batch_size) done = true;  // the surface hides the rest
    barrier();
    on_batch_end(tid, batch_size);
  }
  return T;
}
