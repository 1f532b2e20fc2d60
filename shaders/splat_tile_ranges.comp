#version 460
// Finds, in the instances sorted by (tile, depth), where each tile's run starts and ends.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kTileRangesBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kTileRangesBindingKeysTile) readonly buffer KeysTile { uint keys_tile[]; };
layout(std430, binding = kTileRangesBindingRanges) buffer Ranges { uvec2 ranges[]; };

void main() {
  const uint n = counters[kCounterInstanceCount];
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  if (i >= n) return;
  const uint tile = keys_tile[i] & kTileKeyTileMask;
  if (i == 0 || (keys_tile[i - 1] & kTileKeyTileMask) != tile) ranges[tile].x = i;
  if (i == n - 1 || (keys_tile[i + 1] & kTileKeyTileMask) != tile) ranges[tile].y = i + 1;
}
