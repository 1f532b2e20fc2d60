#version 460
// Lays out tile instances in depth order: for each block of depth-sorted visible
// Gaussians, every entry's offset within the block and the block's total (a later scan
// of the totals gives each block its start). The block goes through shared memory so
// that neighbouring invocations read and write neighbouring entries: the scan wants each
// invocation's entries consecutive, and reading them so straight from memory left every
// load and store of a subgroup spread over 32 sectors.
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

// The block's counts, then its offsets; one padding word every 32 keeps an invocation's
// run of kRadixItemsPerThread entries off the banks of its neighbours' runs.
shared uint block_entries[kRadixBlockSize + kRadixBlockSize / 32];
uint padded(uint entry) { return entry + entry / 32; }

void main() {
  const uint n = counters[kCounterVisibleCount];
  const uint blocks = counters[kCounterVisibleBlocks];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;
  const uint base = block * kRadixBlockSize;
  const bool packed = depth_values_packed(params.count);
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint entry = k * kSplatWorkgroupSize + tid;
    uint count = 0u;
    if (base + entry < n) {
      const uint value = sorted[base + entry];
      // The count from the value (shaderio.h), unless clamped there or not packed at all.
      const uint carried = packed ? value >> kDepthValueIndexBits : kDepthValueCountLimit;
      count = carried < kDepthValueCountLimit ? carried : tile_counts[depth_value_gaussian(value, params.count)];
    }
    block_entries[padded(entry)] = count;
  }
  const bool in_order = subgroups_in_invocation_order();  // its barriers also order the stores above
  const uint first = tid * kRadixItemsPerThread;
  uint sum = 0;
  for (uint k = 0; k < kRadixItemsPerThread; ++k) sum += block_entries[padded(first + k)];
  uvec2 total;
  uint offset = workgroup_exclusive_scan(in_order, uvec2(sum, 0u), total).x;
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint count = block_entries[padded(first + k)];
    block_entries[padded(first + k)] = offset;
    offset += count;
  }
  barrier();
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint entry = k * kSplatWorkgroupSize + tid;
    if (base + entry < n) item_offsets[base + entry] = block_entries[padded(entry)];
  }
  if (tid == 0) block_sums[block] = total.x;
}
