#version 460
// After the preprocess, in one workgroup: the emit's dispatch size from the visible
// count, and each tile's place among the frame's instances, a scan of the per-tile
// counts the preprocess made (the tile ranges of shaderio.h: starts into the first half,
// the same starts into the second as the emit's write cursors). A frame that needs more
// instances than the buffers hold gets empty tiles and no emit; the host grows the
// buffers and draws it again.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kTileOffsetsBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kTileOffsetsBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kTileOffsetsBindingTileRanges) buffer TileRanges { uint tile_ranges[]; };

#include "workgroup_scan.glsl"

// Dispatches tile in 2D past the device's x limit.
void write_dispatch_args(uint slot, uint groups) {
  const uint x = max(1u, min(groups, params.max_groups_x));
  counters[slot] = groups == 0 ? 0 : x;
  counters[slot + 1] = groups == 0 ? 0 : (groups + x - 1) / x;
  counters[slot + 2] = 1;
}

void main() {
  const uint tid = gl_LocalInvocationIndex;
  const uint tiles = params.tiles_x * params.tiles_y;
  const bool in_order = subgroups_in_invocation_order();
  // Each invocation scans kRadixItemsPerThread neighbouring tiles a round. The counts go
  // through the scan in 16-bit halves, so that no partial sum wraps around; a total past
  // 2^32 counts as overflow.
  uint running = 0;
  bool overflow = false;
  for (uint start = 0; start < tiles; start += kRadixBlockSize) {
    const uint first = start + tid * kRadixItemsPerThread;
    uint counts[kRadixItemsPerThread];
    uvec2 halves = uvec2(0u);
    for (uint k = 0; k < kRadixItemsPerThread; ++k) {
      counts[k] = first + k < tiles ? tile_ranges[tiles + first + k] : 0u;
      halves += uvec2(counts[k] & 0xFFFFu, counts[k] >> 16);
    }
    uvec2 total;
    const uvec2 before = workgroup_exclusive_scan(in_order, halves, total);
    uint offset = running + before.x + (before.y << 16);  // meaningful unless overflow
    for (uint k = 0; k < kRadixItemsPerThread && first + k < tiles; ++k) {
      tile_ranges[first + k] = offset;
      tile_ranges[tiles + first + k] = offset;
      offset += counts[k];
    }
    uint carry_round, carry_running;
    const uint round_total = uaddCarry(total.x, total.y << 16, carry_round);
    running = uaddCarry(running, round_total, carry_running);
    overflow = overflow || total.y > 0xFFFFu || carry_round != 0u || carry_running != 0u;
  }
  overflow = overflow || running > params.instance_capacity;  // the same in every invocation
  if (overflow) {
    memoryBarrierBuffer();  // the scan's writes land before these
    barrier();
    for (uint t = tid; t < 2 * tiles; t += kRadixWorkgroupSize) tile_ranges[t] = 0u;
  }
  if (tid == 0) {
    const uint visible = min(counters[kCounterVisible], params.count);
    counters[kCounterInstances] = overflow && running <= params.instance_capacity ? 0xFFFFFFFFu : running;
    counters[kCounterVisibleCount] = visible;
    write_dispatch_args(kCounterVisibleArgs, overflow ? 0u : (visible + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize);
  }
}
