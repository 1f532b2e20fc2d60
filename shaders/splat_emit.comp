#version 460
// Writes one (tile, Gaussian) instance per tile each visible Gaussian touches, one
// thread per Gaussian, in depth order, so a stable sort by tile alone leaves every
// tile's list front to back. Each key also carries the tile's 8x4 pixel blocks the
// splat reaches, for the raster.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kEmitBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kEmitBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kEmitBindingSorted) readonly buffer Sorted { uint sorted[]; };
layout(std430, binding = kEmitBindingSplats) readonly buffer Splats { Splat2D splats[]; };
layout(std430, binding = kEmitBindingItemOffsets) readonly buffer ItemOffsets { uint item_offsets[]; };
layout(std430, binding = kEmitBindingBlockOffsets) readonly buffer BlockOffsets { uint block_offsets[]; };
layout(std430, binding = kEmitBindingKeysTile) writeonly buffer KeysTile { uint keys_tile[]; };
layout(std430, binding = kEmitBindingValues) writeonly buffer Values { uint values[]; };

#include "splat_tile_test.glsl"

void main() {
  const uint j = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (j >= counters[kCounterVisibleCount]) return;
  const uint g = sorted[j];
  const Splat2D s = splats[g];
  uint offset = block_offsets[j / kRadixBlockSize] + item_offsets[j];
  const uvec2 lo = uvec2(s.rect_min & 0xFFFFu, s.rect_min >> 16);
  const uvec2 hi = uvec2(s.rect_max & 0xFFFFu, s.rect_max >> 16);
  const vec2 extent = reach_extent(s);
  for (uint y = lo.y; y < hi.y; ++y) {
    for (uint x = lo.x; x < hi.x; ++x) {
      if (!tile_touched(s, x, y, params.width, params.height)) continue;
      // Past capacity the instances are dropped; the host sees the total and grows.
      if (offset < params.instance_capacity) {
        const uint blocks = blocks_reached(s, extent, uvec2(x, y) * kTileSize);
        keys_tile[offset] = (y * params.tiles_x + x) | (blocks << kTileKeyBlocksShift);
        values[offset] = g;
      }
      ++offset;
    }
  }
}
