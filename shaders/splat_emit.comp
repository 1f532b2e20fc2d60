#version 460
// Writes one (tile, Gaussian) instance per tile each visible Gaussian touches, in depth
// order, so a stable sort by tile alone leaves every tile's list front to back. Each key
// also carries the tile's 8x4 pixel blocks the splat reaches, for the raster. One thread
// per Gaussian walks a small splat's tile rectangle; the whole subgroup walks a large
// one's together, so that a few splats spanning hundreds of tiles do not hold the pass
// up. Within one Gaussian the order of its instances is free (each tile gets one).
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "shaderio.h"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kEmitBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kEmitBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kEmitBindingSorted) readonly buffer Sorted { uint sorted[]; };
layout(std430, binding = kEmitBindingSplats) readonly buffer Splats { uvec4 splat_words[]; };  // splat_record.glsl
layout(std430, binding = kEmitBindingItemOffsets) readonly buffer ItemOffsets { uint item_offsets[]; };
layout(std430, binding = kEmitBindingBlockOffsets) readonly buffer BlockOffsets { uint block_offsets[]; };
layout(std430, binding = kEmitBindingKeysTile) writeonly buffer KeysTile { uint keys_tile[]; };
layout(std430, binding = kEmitBindingValues) writeonly buffer Values { uint values[]; };

#include "splat_record.glsl"
#include "splat_tile_test.glsl"

// Writes the instance of splat `s` (Gaussian `g`) on tile (x, y) at `offset`.
void write_instance(Splat2D s, uint g, vec2 extent, uint x, uint y, uint offset) {
  // Past capacity the instances are dropped; the host sees the total and grows.
  if (offset >= params.instance_capacity) return;
  const uint blocks = blocks_reached(s, extent, uvec2(x, y) * kTileSize);
  keys_tile[offset] = (y * params.tiles_x + x) | (blocks << kTileKeyBlocksShift);
  values[offset] = g;
}

void main() {
  const uint j = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const bool in_list = j < counters[kCounterVisibleCount];
  const uint value = in_list ? sorted[j] : 0u;
  const uint g = depth_value_gaussian(value, params.count);
  const Splat2D s = load_splat_footprint(g);
  const uint offset = in_list ? block_offsets[j / kRadixBlockSize] + item_offsets[j] : 0u;
  const uvec2 lo = rect_start(s.rect_min);
  const uvec2 size = in_list ? rect_end(s.rect_max) - lo : uvec2(0u);
  const bool shared_walk = size.x * size.y > kSplatOwnTiles;
  if (in_list && !shared_walk) {
    // The tiles the preprocess found touched, from its mask.
    const vec2 extent = reach_extent(s);
    uint at = offset;
    for (uint touched = rect_touched(s.rect_max); touched != 0u; touched &= touched - 1u) {
      const uint t = findLSB(touched);
      write_instance(s, g, extent, lo.x + t % size.x, lo.y + t / size.x, at++);
    }
  }
  // Large splats, one at a time, each lane taking every gl_SubgroupSize-th tile of the
  // rectangle; ballots place the touched ones one after another from the splat's offset.
  uvec4 walks = subgroupBallot(shared_walk);
  while (subgroupBallotBitCount(walks) > 0u) {
    const uint owner = subgroupBallotFindLSB(walks);
    // Cleared without indexing the vector by a variable, which would put it in memory.
    walks &= ~(uvec4(equal(uvec4(0u, 1u, 2u, 3u), uvec4(owner / 32u))) << (owner % 32u));
    const uint wg = subgroupShuffle(g, owner);
    const Splat2D ws = load_splat_footprint(wg);
    const vec2 extent = reach_extent(ws);
    const uvec2 wlo = rect_start(ws.rect_min);
    const uvec2 wsize = rect_end(ws.rect_max) - wlo;
    uint at = subgroupShuffle(offset, owner);
    for (uint first = 0; first < wsize.x * wsize.y; first += gl_SubgroupSize) {
      const uint t = first + gl_SubgroupInvocationID;
      const uint x = wlo.x + t % wsize.x, y = wlo.y + t / wsize.x;
      const bool touched = t < wsize.x * wsize.y && tile_touched(ws, x, y, params.width, params.height);
      const uvec4 ballot = subgroupBallot(touched);
      if (touched) write_instance(ws, wg, extent, x, y, at + subgroupBallotExclusiveBitCount(ballot));
      at += subgroupBallotBitCount(ballot);
    }
  }
}
