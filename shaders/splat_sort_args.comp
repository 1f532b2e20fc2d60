#version 460
// Turns the counts the preprocess produced into indirect dispatch sizes, so the frame
// never reads counts back to the CPU. Dispatches tile in 2D past the x limit.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = 1) in;

layout(std430, binding = 0) readonly buffer Params { FrameParams params; };
layout(std430, binding = 1) buffer Counters { uint counters[]; };

layout(push_constant) uniform Push { uint max_groups_x; };

void write_args(uint slot, uint groups) {
  const uint x = max(1u, min(groups, max_groups_x));
  counters[slot] = groups == 0 ? 0 : x;
  counters[slot + 1] = groups == 0 ? 0 : (groups + x - 1) / x;
  counters[slot + 2] = 1;
}

void main() {
  const uint visible = min(counters[kCounterVisible], params.count);
  const uint visible_blocks = (visible + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterVisibleCount] = visible;
  counters[kCounterVisibleBlocks] = visible_blocks;
  write_args(kCounterVisibleSortArgs, visible_blocks);

  const uint instances = min(counters[kCounterInstances], params.instance_capacity);
  const uint blocks = (instances + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterInstanceCount] = instances;
  counters[kCounterInstanceBlocks] = blocks;
  write_args(kCounterInstanceSortArgs, blocks);
  write_args(kCounterInstanceArgs, (instances + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
}
