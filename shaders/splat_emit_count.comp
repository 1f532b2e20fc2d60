#version 460
// Lays out tile instances in depth order: for each block of depth-sorted visible
// Gaussians, every entry's offset within the block and the block's total (a later scan
// of the totals gives each block its start).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kEmitCountBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kEmitCountBindingSorted) readonly buffer Sorted { uint sorted[]; };
layout(std430, binding = kEmitCountBindingTileCounts) readonly buffer TileCounts { uint tile_counts[]; };
layout(std430, binding = kEmitCountBindingItemOffsets) writeonly buffer ItemOffsets { uint item_offsets[]; };
layout(std430, binding = kEmitCountBindingBlockSums) writeonly buffer BlockSums { uint block_sums[]; };
layout(std430, binding = kEmitCountBindingParams) readonly buffer Params { FrameParams params; };

#include "workgroup_scan.glsl"

void main() {
  const uint n = counters[kCounterVisibleCount];
  const uint blocks = counters[kCounterVisibleBlocks];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint first = block * kRadixBlockSize + gl_LocalInvocationID.x * kRadixItemsPerThread;
  const bool packed = depth_values_packed(params.count);
  uint counts[kRadixItemsPerThread];
  uint sum = 0;
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint value = first + k < n ? sorted[first + k] : 0u;
    // The count from the value (shaderio.h), unless clamped there or not packed at all.
    const uint carried = packed ? value >> kDepthValueIndexBits : kDepthValueCountLimit;
    counts[k] = first + k >= n ? 0u
                : carried < kDepthValueCountLimit ? carried
                : tile_counts[depth_value_gaussian(value, params.count)];
    sum += counts[k];
  }
  uvec2 total;
  uint offset = workgroup_exclusive_scan(subgroups_in_invocation_order(), uvec2(sum, 0u), total).x;
  for (uint k = 0; k < kRadixItemsPerThread && first + k < n; ++k) {
    item_offsets[first + k] = offset;
    offset += counts[k];
  }
  if (gl_LocalInvocationID.x == 0) block_sums[block] = total.x;
}
