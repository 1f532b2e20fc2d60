#version 460
// Radix sort, the first of its dispatches: counts the digits of every pass of the sort
// (RadixPush.pass of them, from bit RadixPush.shift) over all keys at once, into the
// sort's digit totals, and zeroes the first pass's look-back words (shaderio.h). The
// depth sort's also writes the visible counts and the sizes of the dispatches over them
// (RadixPush.visible_limit), which saves a dispatch of one workgroup between the
// preprocess and this.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kHistogramBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kHistogramBindingKeys) readonly buffer Keys { uint keys[]; };
layout(std430, binding = kHistogramBindingState) buffer State { uint state[]; };
layout(std430, binding = kHistogramBindingLookback) writeonly buffer Lookback { uint lookback[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint local_counts[kRadixMaxPasses * kRadixBins];

#include "dispatch_args.glsl"

void main() {
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint tid = gl_LocalInvocationID.x;
  uint n, blocks;
  if (push.visible_limit != 0u) {
    // Every workgroup reads the count the preprocess left; the slots that later
    // dispatches read are written by the first.
    n = min(counters[kCounterVisible], push.visible_limit);
    blocks = (n + kRadixBlockSize - 1) / kRadixBlockSize;
    if (block == 0u && tid == 0u) write_visible_args(n, push.max_groups_x);
  } else {
    n = counters[push.count_slot];
    blocks = counters[push.blocks_slot];
  }
  if (block >= blocks) return;  // uniform across the workgroup
  const uint passes = min(push.pass, kRadixMaxPasses);
  for (uint p = 0; p < kRadixMaxPasses; ++p) local_counts[p * kRadixBins + tid] = 0;
  lookback[block * kRadixBins + tid] = 0;
  barrier();
  // Eight keys loaded before any is counted, so that their loads overlap (one at a time,
  // the pass waited on each load in turn).
  const uint base = block * kRadixBlockSize;
  for (uint first = 0; first < kRadixItemsPerThread; first += 8) {
    uint batch[8];
    [[unroll]] for (uint k = 0; k < 8; ++k) {
      const uint idx = base + (first + k) * kRadixWorkgroupSize + tid;
      batch[k] = idx < n ? keys[idx] : 0u;
    }
    [[unroll]] for (uint k = 0; k < 8; ++k) {
      if (base + (first + k) * kRadixWorkgroupSize + tid >= n) break;
      for (uint p = 0; p < passes; ++p) {
        atomicAdd(local_counts[p * kRadixBins + ((batch[k] >> (push.shift + 8 * p)) & 0xFFu)], 1u);
      }
    }
  }
  barrier();
  for (uint p = 0; p < passes; ++p) {
    const uint count = local_counts[p * kRadixBins + tid];
    if (count != 0u) atomicAdd(state[kRadixStateDigitTotals + p * kRadixBins + tid], count);
  }
}
