#version 460
// Turns GPU-side counts into indirect dispatch sizes, so the frame never reads counts
// back to the CPU. Dispatches tile in 2D past the x limit. kSortArgsVisible runs after
// the preprocess (visible Gaussians), kSortArgsInstances after the scan of tiles
// touched (instances).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kSortArgsWorkgroupSize) in;

layout(std430, binding = kSortArgsBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kSortArgsBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kSortArgsBindingScanTotal) readonly buffer ScanTotal { uint scan_total[]; };

layout(push_constant) uniform Push { SortArgsPush push; };

void write_args(uint slot, uint groups) {
  const uint x = max(1u, min(groups, push.max_groups_x));
  counters[slot] = groups == 0 ? 0 : x;
  counters[slot + 1] = groups == 0 ? 0 : (groups + x - 1) / x;
  counters[slot + 2] = 1;
}

void main() {
  if (push.mode == kSortArgsVisible) {
    const uint visible = min(counters[kCounterVisible], params.count);
    const uint blocks = (visible + kRadixBlockSize - 1) / kRadixBlockSize;
    counters[kCounterVisibleCount] = visible;
    counters[kCounterVisibleBlocks] = blocks;
    write_args(kCounterVisibleSortArgs, blocks);
    write_args(kCounterVisibleArgs, (visible + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
    return;
  }
  // The scan of per-block tile counts left the exact instance total in scan_total[0].
  const uint total = counters[kCounterVisibleCount] > 0 ? scan_total[0] : 0;
  const uint instances = min(total, params.instance_capacity);
  const uint blocks = (instances + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterInstances] = total;
  counters[kCounterInstanceCount] = instances;
  counters[kCounterInstanceBlocks] = blocks;
  write_args(kCounterInstanceSortArgs, blocks);
  write_args(kCounterInstanceArgs, (instances + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
}
