#version 460
// Sums the tiles touched by each block of depth-sorted visible Gaussians, the first step
// of laying out tile instances in depth order.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Params { FrameParams params; };
layout(std430, binding = 1) readonly buffer Counters { uint counters[]; };
layout(std430, binding = 2) readonly buffer Sorted { uint sorted[]; };
layout(std430, binding = 3) readonly buffer Splats { Splat2D splats[]; };
layout(std430, binding = 4) writeonly buffer BlockSums { uint block_sums[]; };

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
  const uint total = workgroup_inclusive_scan(sum);
  if (gl_LocalInvocationID.x == kRadixWorkgroupSize - 1) block_sums[block] = total;
}
