#version 460
// Indirect dispatch sizes from counts made on the GPU, so a frame never reads a count
// back; one workgroup. After the preprocess (kSortArgsVisible): the depth sort's, from
// the visible count. After splat_emit_count.comp (kSortArgsInstances): scans the
// instances per block of visible Gaussians into each block's first instance, in place,
// then the tile sort's and the raster's from the total (one dispatch instead of three).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kSortArgsBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kSortArgsBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kSortArgsBindingBlockSums) buffer BlockSums { uint block_sums[]; };

layout(push_constant) uniform Push { SortArgsPush push; };

#include "workgroup_scan.glsl"

// Dispatches tile in 2D past the device's x limit.
void write_dispatch_args(uint slot, uint groups) {
  const uint x = max(1u, min(groups, params.max_groups_x));
  counters[slot] = groups == 0 ? 0 : x;
  counters[slot + 1] = groups == 0 ? 0 : (groups + x - 1) / x;
  counters[slot + 2] = 1;
}

// A raster dispatch of one workgroup per tile (gl_WorkGroupID.xy the tile), or of none.
void write_tile_args(uint slot, bool used) {
  counters[slot] = used ? params.tiles_x : 0u;
  counters[slot + 1] = used ? params.tiles_y : 0u;
  counters[slot + 2] = 1u;
}

// `culled_in` Gaussians survived culling (at most params.count).
void write_visible_args(uint culled_in) {
  const uint visible = min(culled_in, params.count);
  const uint blocks = (visible + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterVisibleCount] = visible;
  counters[kCounterVisibleBlocks] = blocks;
  write_dispatch_args(kCounterVisibleSortArgs, blocks);
  write_dispatch_args(kCounterVisibleArgs, (visible + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
}

// The frame needs `total` tile instances; those past the buffers' capacity are dropped
// (the host grows the buffers and draws the frame again).
void write_instance_args(uint total) {
  const uint instances = min(total, params.instance_capacity);
  const uint blocks = (instances + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterInstances] = total;
  counters[kCounterInstanceCount] = instances;
  counters[kCounterInstanceBlocks] = blocks;
  write_dispatch_args(kCounterInstanceSortArgs, blocks);
  write_dispatch_args(kCounterInstanceArgs, (instances + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
  // A workgroup per tile for one of the raster's two block kernels, none for the other.
  const bool queued = params.queued_walk != 0u && total >= params.queued_walk;
  write_tile_args(kCounterRasterArgs, !queued);
  write_tile_args(kCounterRasterQueuedArgs, queued);
}

void main() {
  if (push.mode == kSortArgsVisible) {  // uniform: the scan's barriers are not reached
    if (gl_LocalInvocationIndex == 0) write_visible_args(counters[kCounterVisible]);
    return;
  }
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
