#version 460
// Writes one (tile, Gaussian) instance per tile each visible Gaussian touches, in depth
// order, so a stable sort by tile alone leaves every tile's list front to back.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Params { FrameParams params; };
layout(std430, binding = 1) readonly buffer Counters { uint counters[]; };
layout(std430, binding = 2) readonly buffer Sorted { uint sorted[]; };
layout(std430, binding = 3) readonly buffer Splats { Splat2D splats[]; };
layout(std430, binding = 4) readonly buffer BlockOffsets { uint block_offsets[]; };
layout(std430, binding = 5) writeonly buffer KeysTile { uint keys_tile[]; };
layout(std430, binding = 6) writeonly buffer Values { uint values[]; };

#include "splat_tiles.glsl"

void main() {
  const uint n = counters[kCounterVisibleCount];
  const uint blocks = counters[kCounterVisibleBlocks];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint first = block * kRadixBlockSize + gl_LocalInvocationID.x * kRadixItemsPerThread;
  uint sum = 0;
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    if (first + k < n) sum += tiles_of(splats[sorted[first + k]], params.width, params.height);
  }
  uint offset = block_offsets[block] + workgroup_inclusive_scan(sum) - sum;
  for (uint k = 0; k < kRadixItemsPerThread && first + k < n; ++k) {
    const uint g = sorted[first + k];
    const Splat2D s = splats[g];
    const uvec2 lo = uvec2(s.rect_min & 0xFFFFu, s.rect_min >> 16);
    const uvec2 hi = uvec2(s.rect_max & 0xFFFFu, s.rect_max >> 16);
    for (uint y = lo.y; y < hi.y; ++y) {
      for (uint x = lo.x; x < hi.x; ++x) {
        if (!tile_touched(s, x, y, params.width, params.height)) continue;
        // Past capacity the instances are dropped; the host sees the total and grows.
        if (offset < params.instance_capacity) {
          keys_tile[offset] = y * params.tiles_x + x;
          values[offset] = g;
        }
        ++offset;
      }
    }
  }
}
