#version 460
// Lays out tile instances in depth order: for each block of depth-sorted visible
// Gaussians, every entry's offset within the block and the block's first instance, the
// latter by decoupled look-back over the blocks before it (radix_lookback.glsl; blocks
// are handed out in the order workgroups start). The block that ends the list writes the
// frame's instance count and the sizes of the dispatches over instances: no pass of its
// own scans the block totals. The block goes through shared memory so that neighbouring
// invocations read and write neighbouring entries: the scan wants each invocation's
// entries consecutive, and reading them so straight from memory left every load and
// store of a subgroup spread over 32 sectors.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "shaderio.h"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kEmitCountBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kEmitCountBindingSorted) readonly buffer Sorted { uint sorted[]; };
layout(std430, binding = kEmitCountBindingTileCounts) readonly buffer TileCounts { uint tile_counts[]; };
layout(std430, binding = kEmitCountBindingItemOffsets) writeonly buffer ItemOffsets { uint item_offsets[]; };
layout(std430, binding = kEmitCountBindingBlockSums) writeonly buffer BlockSums { uint block_sums[]; };
layout(std430, binding = kEmitCountBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kEmitCountBindingLookback) coherent buffer Lookback { uint lookback[]; };

#include "dispatch_args.glsl"
#include "radix_lookback.glsl"
#include "workgroup_scan.glsl"

// A raster dispatch of one workgroup per tile (gl_WorkGroupID.xy the tile), or of none.
void write_tile_args(uint slot, bool used) {
  counters[slot] = used ? params.tiles_x : 0u;
  counters[slot + 1] = used ? params.tiles_y : 0u;
  counters[slot + 2] = 1u;
}

// The frame needs `total` tile instances; those past the buffers' capacity are dropped
// (the host grows the buffers and draws the frame again).
void write_instance_args(uint total) {
  const uint instances = min(total, params.instance_capacity);
  const uint blocks = (instances + kRadixBlockSize - 1) / kRadixBlockSize;
  counters[kCounterInstances] = total;
  counters[kCounterInstanceCount] = instances;
  counters[kCounterInstanceBlocks] = blocks;
  write_dispatch_args(kCounterInstanceSortArgs, blocks, params.max_groups_x);
  write_dispatch_args(kCounterInstanceArgs, (instances + kSplatWorkgroupSize - 1) / kSplatWorkgroupSize,
                      params.max_groups_x);
  // A workgroup per tile for one of the raster's two block kernels, none for the other.
  const bool queued = params.queued_walk != 0u && total >= params.queued_walk;
  write_tile_args(kCounterRasterArgs, !queued);
  write_tile_args(kCounterRasterQueuedArgs, queued);
}

// The block's counts, then its offsets; one padding word every 32 keeps an invocation's
// run of kRadixItemsPerThread entries off the banks of its neighbours' runs.
shared uint block_entries[kRadixBlockSize + kRadixBlockSize / 32];
uint padded(uint entry) { return entry + entry / 32; }
shared uint block_index;

void main() {
  const uint n = counters[kCounterVisibleCount];
  const uint blocks = counters[kCounterVisibleBlocks];
  const uint tid = gl_LocalInvocationID.x;
  if (tid == 0u) block_index = atomicAdd(counters[kCounterEmitCountBlocks], 1u);
  barrier();
  const uint block = block_index;
  if (block >= blocks) {  // uniform across the workgroup
    // With nothing visible, the one workgroup dispatched still sizes the raster, which
    // draws the background.
    if (blocks == 0u && block == 0u && tid == 0u) write_instance_args(0u);
    return;
  }
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
  if (tid == 0u) {
    // Published at once (the count kept below the status bits: a frame that needs more
    // instances than that is refused by the host anyway), then the blocks before it.
    const uint word = block * kRadixBins;
    const uint count = min(total.x, kRadixLookbackValueMask);
    atomicExchange(lookback[word], (block == 0u ? kRadixLookbackPrefix : kRadixLookbackAggregate) | count);
    const uint first = min(count_before(block, 0u), kRadixLookbackValueMask);
    const uint end = min(first + count, kRadixLookbackValueMask);
    if (block != 0u) atomicExchange(lookback[word], kRadixLookbackPrefix | end);
    block_sums[block] = first;
    if (block + 1u == blocks) write_instance_args(end);
  }
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
}
