#version 460
// After splat_emit_count.comp: scans the instances per block of visible Gaussians into
// each block's first instance, in place, and turns the total into the tile sort's
// indirect dispatch sizes (sort_args.glsl). One workgroup.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kSortArgsBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kSortArgsBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kSortArgsBindingBlockSums) buffer BlockSums { uint block_sums[]; };

#include "workgroup_scan.glsl"
#include "sort_args.glsl"

void main() {
  const bool in_order = subgroups_in_invocation_order();
  const uint blocks = counters[kCounterVisibleBlocks];
  const uint tid = gl_LocalInvocationID.x;
  uint running = 0;
  for (uint start = 0; start < blocks; start += kRadixWorkgroupSize) {
    const uint idx = start + tid;
    const uint value = idx < blocks ? block_sums[idx] : 0;
    uvec2 total;
    const uint before = workgroup_exclusive_scan(in_order, uvec2(value, 0u), total).x;
    if (idx < blocks) block_sums[idx] = running + before;
    running += total.x;
  }
  if (tid == 0) write_instance_args(running);
}
