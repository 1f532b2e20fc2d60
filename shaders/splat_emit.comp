#version 460
// Writes one (tile, Gaussian) instance per tile each visible Gaussian touches, into the
// tile's bucket (its range from splat_tile_offsets.comp, filled through an atomic write
// cursor), keyed by depth for the per-tile sort; each key also carries the tile's 8x4
// pixel blocks the splat reaches, for the raster. One thread per Gaussian walks a small
// splat's tile rectangle; the whole subgroup walks a large one's together, so that a few
// splats spanning hundreds of tiles do not hold the pass up. The order within a bucket is
// whatever the atomics give: splat_tile_sort.comp sets it.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "shaderio.h"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kEmitBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kEmitBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kEmitBindingVisibleKeys) readonly buffer VisibleKeys { uint visible_keys[]; };
layout(std430, binding = kEmitBindingVisibleGaussians) readonly buffer VisibleGaussians { uint visible_gaussians[]; };
layout(std430, binding = kEmitBindingSplats) readonly buffer Splats { uvec4 splat_words[]; };  // splat_record.glsl
layout(std430, binding = kEmitBindingTileRanges) buffer TileRanges { uint tile_ranges[]; };  // shaderio.h
layout(std430, binding = kEmitBindingKeys) writeonly buffer Keys { uint keys[]; };
layout(std430, binding = kEmitBindingValues) writeonly buffer Values { uint values[]; };

#include "splat_record.glsl"
#include "splat_tile_test.glsl"

// Writes the instance of splat `s` (Gaussian `g`, depth key `depth_key`) on tile (x, y).
void write_instance(Splat2D s, uint g, uint depth_key, vec2 extent, uint x, uint y) {
  const uint tiles = params.tiles_x * params.tiles_y;
  const uint slot = atomicAdd(tile_ranges[tiles + y * params.tiles_x + x], 1u);
  // The preprocess counted the same tiles with the same test, so a tile's slots stay in
  // its range; the bound only keeps a disagreement from writing past the buffers.
  if (slot >= params.instance_capacity) return;
  keys[slot] = params.exact_depth != 0u
                   ? depth_key
                   : (depth_key << kInstanceKeyDepthShift) | blocks_reached(s, extent, uvec2(x, y) * kTileSize);
  values[slot] = g;
}

void main() {
  const uint j = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  const bool in_list = j < counters[kCounterVisibleCount];
  const uint g = in_list ? visible_gaussians[j] : 0u;
  const uint depth_key = in_list ? visible_keys[j] : 0u;
  const Splat2D s = load_splat_footprint(g);
  const uvec2 lo = uvec2(s.rect_min & 0xFFFFu, s.rect_min >> 16);
  const uvec2 hi = uvec2(s.rect_max & 0xFFFFu, s.rect_max >> 16);
  const uvec2 size = in_list ? hi - lo : uvec2(0u);
  const bool shared_walk = size.x * size.y > kSplatOwnTiles;
  if (in_list && !shared_walk) {
    const vec2 extent = reach_extent(s);
    for (uint y = lo.y; y < hi.y; ++y) {
      for (uint x = lo.x; x < hi.x; ++x) {
        if (tile_touched(s, x, y, params.width, params.height)) write_instance(s, g, depth_key, extent, x, y);
      }
    }
  }
  // Large splats, one at a time, each lane taking every gl_SubgroupSize-th tile of the
  // rectangle.
  uvec4 walks = subgroupBallot(shared_walk);
  while (subgroupBallotBitCount(walks) > 0u) {
    const uint owner = subgroupBallotFindLSB(walks);
    walks[owner / 32] &= ~(1u << (owner % 32));
    const uint wg = subgroupShuffle(g, owner);
    const uint wkey = subgroupShuffle(depth_key, owner);
    const Splat2D ws = load_splat_footprint(wg);
    const vec2 extent = reach_extent(ws);
    const uvec2 wlo = uvec2(ws.rect_min & 0xFFFFu, ws.rect_min >> 16);
    const uvec2 wsize = uvec2(ws.rect_max & 0xFFFFu, ws.rect_max >> 16) - wlo;
    for (uint first = 0; first < wsize.x * wsize.y; first += gl_SubgroupSize) {
      const uint t = first + gl_SubgroupInvocationID;
      const uint x = wlo.x + t % wsize.x, y = wlo.y + t / wsize.x;
      if (t < wsize.x * wsize.y && tile_touched(ws, x, y, params.width, params.height)) {
        write_instance(ws, wg, wkey, extent, x, y);
      }
    }
  }
}
