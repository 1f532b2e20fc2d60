// The splat raster: colours each pixel of a 16x16 tile from the splats covering it,
// front to back, over the background or an opaque frame drawn first. Two builds of it:
//   splat_raster.comp         any subgroup size: blend_tile of splat_blend.glsl, the
//                             workgroup fetching batches of 256 splats between barriers
//   splat_raster_blocks.comp  (SPLAT_RASTER_BY_BLOCK) where the pipeline runs full
//                             32-invocation subgroups: each subgroup one 8x4 block, alone
//   splat_raster_queued.comp  (SPLAT_RASTER_BY_BLOCK and SPLAT_RASTER_QUEUED) the same,
//                             walking the tile's keys 64 a step into a queue of hits;
//                             frames with many instances take it (FrameParams::queued_walk)
// The block path is a separate pipeline rather than a branch in one shader: sharing one
// shader made the compiler size its registers for the tile path too, and the block path
// ran 14-28% slower on the H200 (BENCHMARKS, fifth round).
layout(local_size_x = kRasterWorkgroupSize) in;

layout(std430, binding = kRasterBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kRasterBindingRanges) readonly buffer TileRanges { uint tile_ranges[]; };  // shaderio.h
layout(std430, binding = kRasterBindingValues) readonly buffer Values { uint values[]; };
layout(std430, binding = kRasterBindingSplats) readonly buffer Splats { uint splat_scalars[]; };  // splat_record.glsl
#define SPLAT_RECORD_SCALARS
layout(std430, binding = kRasterBindingImage) writeonly buffer Image { vec4 image[]; };
// An opaque frame drawn first (meshes, points): splats behind its surface are hidden and
// its colour shows through what the splats leave transparent.
layout(std430, binding = kRasterBindingUnderlayColor) readonly buffer UnderlayColor { vec4 underlay_color[]; };
layout(std430, binding = kRasterBindingUnderlayDepth) readonly buffer UnderlayDepth { float underlay_depth[]; };
layout(std430, binding = kRasterBindingKeysTile) readonly buffer KeysTile { uint keys_tile[]; };

vec3 C = vec3(0.0);

void on_fetch(uint slot, uint gaussian) {}
void on_batch_end(uint slot, uint batch_size) {}
// splat_emit.comp put the blocks in the key.
uint fetch_blocks(uint instance, uvec2 tile) { return keys_tile[instance] >> kTileKeyBlocksShift; }
void on_blend(uint slot, float alpha, float T);  // defined below: it reads the batch

#include "splat_blend.glsl"

void on_blend(uint slot, float alpha, float T) { C += batch_color[slot].rgb * alpha * T; }

#ifdef SPLAT_RASTER_BY_BLOCK
// Blends the first `count` entries of this subgroup's slots (from `first`) into the pixel.
void blend_pending(uint first, uint count, vec2 pixf, float opaque_depth, inout float T, inout bool done) {
  subgroupMemoryBarrierShared();
  subgroupBarrier();  // the slots are written
  const uint end = first_hidden(first, count, opaque_depth);
  for (uint j = 0; j < end && !done; j += kBlendUnroll) {
    blend_step(uvec4(first + j) + uvec4(0, 1, 2, 3), min(kBlendUnroll, end - j), pixf, T, done);
  }
  if (end < count) done = true;  // the surface hides the rest
  subgroupBarrier();  // every invocation has read the slots before they are written again
}

#ifndef SPLAT_RASTER_QUEUED
// Each subgroup shades one 8x4 block on its own: it walks the tile's whole list 32 keys
// at a time, keeps the splats whose block mask names its block, and blends them once 32
// have gathered in its 32 slots of the batch arrays. No workgroup barrier: a block never
// waits for its tile's busier blocks, and stops once its own pixels are saturated
// (blend_tile's batches wait for the longest of eight block lists at four barriers each).
float blend_block(uvec2 range, bool inside, vec2 pixf, float opaque_depth) {
  const uint lane = gl_SubgroupInvocationID;
  const uint block_bit = 1u << (kTileKeyBlocksShift + gl_SubgroupID);
  const uint first = gl_SubgroupID * kRasterBlockPixels;
  bool done = !inside;
  float T = 1.0;
  uint pending = 0;  // splats stored in the slots and not blended yet
  // The keys and Gaussians of the next 32 instances are loaded a step ahead.
  uint key = 0, gaussian = 0;
  if (range.x + lane < range.y) {
    key = keys_tile[range.x + lane];
    gaussian = values[range.x + lane];
  }
  for (uint start = range.x; start < range.y; start += kRasterBlockPixels) {
    const bool hit = (key & block_bit) != 0u;
    const uvec4 hits = subgroupBallot(hit);
    const uint count = subgroupBallotBitCount(hits);
    Splat2D splat;
    if (hit) splat = load_splat(gaussian);
    const uint next = start + kRasterBlockPixels + lane;
    key = next < range.y ? keys_tile[next] : 0u;
    gaussian = next < range.y ? values[next] : 0u;
    // The slots are full: blend them while this step's splats load.
    if (pending + count > kRasterBlockPixels) {
      blend_pending(first, pending, pixf, opaque_depth, T, done);
      pending = 0;
      if (subgroupAll(done)) return T;
    }
    if (hit) store_splat(first + pending + subgroupBallotExclusiveBitCount(hits), splat);
    pending += count;
  }
  blend_pending(first, pending, pixf, opaque_depth, T, done);
  return T;
}
#else
// The walk above waits a round trip to memory for every 32 keys, and on long lists of far,
// small splats most keys miss the block (they reach one or two of a tile's eight), so the
// block waits for keys, not for blending. Here each lane loads kQueueSteps keys a step
// (64 for the subgroup), a step ahead; the hits' Gaussians go to a ring in shared memory,
// and the splats of the ring's oldest 32 load while the 32 before them blend. The extra
// registers and shared memory cost occupancy, which light frames feel more than the walk
// gains (BENCHMARKS, eighth round): hence a pipeline of its own, chosen per frame.
// Two keys a lane beat four on the H200 on every frame measured but the orbits of the city:
// fewer registers and a smaller ring leave more workgroups resident; one key a lane gained
// nothing (BENCHMARKS, twelfth round).
const uint kQueueSteps = 2;
const uint kQueueRing = 128;  // holds the at most 31 + 32 * kQueueSteps entries waiting
shared uint queue[kRasterBlocksPerTile * kQueueRing];

float blend_block(uvec2 range, bool inside, vec2 pixf, float opaque_depth) {
  const uint lane = gl_SubgroupInvocationID;
  const uint block_bit = 1u << (kTileKeyBlocksShift + gl_SubgroupID);
  const uint first = gl_SubgroupID * kRasterBlockPixels;
  const uint ring = gl_SubgroupID * kQueueRing;
  const uint step = kQueueSteps * kRasterBlockPixels;
  bool done = !inside;
  float T = 1.0;
  uint head = 0, tail = 0;  // the ring's entries [head, tail), counted without wrapping
  Splat2D ready;            // the splats of the oldest 32 entries, once have_ready
  bool have_ready = false;
  uint keys[kQueueSteps], gaussians[kQueueSteps];
  for (uint k = 0; k < kQueueSteps; ++k) {
    const uint at = range.x + k * kRasterBlockPixels + lane;
    keys[k] = at < range.y ? keys_tile[at] : 0u;
    gaussians[k] = at < range.y ? values[at] : 0u;
  }
  for (uint start = range.x; start < range.y; start += step) {
    uint hit_keys[kQueueSteps], hit_gaussians[kQueueSteps];
    for (uint k = 0; k < kQueueSteps; ++k) {
      hit_keys[k] = keys[k];
      hit_gaussians[k] = gaussians[k];
      const uint at = start + step + k * kRasterBlockPixels + lane;
      keys[k] = at < range.y ? keys_tile[at] : 0u;
      gaussians[k] = at < range.y ? values[at] : 0u;
    }
    // In list order: step k's lanes in lane order, then step k + 1's.
    for (uint k = 0; k < kQueueSteps; ++k) {
      const bool hit = (hit_keys[k] & block_bit) != 0u;  // keys past the list are 0
      const uvec4 hits = subgroupBallot(hit);
      if (hit) queue[ring + (tail + subgroupBallotExclusiveBitCount(hits)) % kQueueRing] = hit_gaussians[k];
      tail += subgroupBallotBitCount(hits);
    }
    subgroupMemoryBarrierShared();
    subgroupBarrier();  // the entries are written before any lane reads them
    if (!have_ready && tail - head >= kRasterBlockPixels) {
      ready = load_splat(queue[ring + (head + lane) % kQueueRing]);
      head += kRasterBlockPixels;
      have_ready = true;
    }
    while (have_ready && tail - head >= kRasterBlockPixels) {
      store_splat(first + lane, ready);
      ready = load_splat(queue[ring + (head + lane) % kQueueRing]);  // lands while these blend
      head += kRasterBlockPixels;
      blend_pending(first, kRasterBlockPixels, pixf, opaque_depth, T, done);
      if (subgroupAll(done)) return T;
    }
  }
  if (have_ready) {
    store_splat(first + lane, ready);
    blend_pending(first, kRasterBlockPixels, pixf, opaque_depth, T, done);
    if (subgroupAll(done)) return T;
  }
  const uint rest = tail - head;
  if (lane < rest) store_splat(first + lane, load_splat(queue[ring + (head + lane) % kQueueRing]));
  blend_pending(first, rest, pixf, opaque_depth, T, done);
  return T;
}
#endif
#endif

void main() {
  const uvec2 tile = gl_WorkGroupID.xy;
#ifdef SPLAT_RASTER_BY_BLOCK
  const uint index = gl_SubgroupID * kRasterBlockPixels + gl_SubgroupInvocationID;
#else
  const uint index = gl_LocalInvocationIndex;
#endif
  const uvec2 pixel = tile * kTileSize + tile_pixel(index);
  const bool inside = pixel.x < params.width && pixel.y < params.height;
  const vec2 pixf = vec2(pixel) + 0.5;

  const uvec2 range = tile_range(tile);
  vec3 under = vec3(params.background[0], params.background[1], params.background[2]);
  float opaque_depth = 3.0e38;
  if (params.use_underlay != 0 && inside) {
    const uint p = pixel.y * params.width + pixel.x;
    under = underlay_color[p].rgb;
    opaque_depth = underlay_depth[p];
  }
#ifdef SPLAT_RASTER_BY_BLOCK
  const float T = blend_block(range, inside, pixf, opaque_depth);
#else
  const float T = blend_tile(tile, range, inside, pixf, opaque_depth);
#endif
  if (inside) image[pixel.y * params.width + pixel.x] = vec4(C + T * under, 1.0 - T);
}
