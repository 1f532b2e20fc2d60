#version 460
// Radix sort, the first of its dispatches: counts the digits of every pass of the sort
// (RadixPush.pass of them, from bit RadixPush.shift) over all keys at once, into the
// sort's digit totals, and zeroes the first pass's look-back words (shaderio.h).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kHistogramBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kHistogramBindingKeys) readonly buffer Keys { uint keys[]; };
layout(std430, binding = kHistogramBindingState) buffer State { uint state[]; };
layout(std430, binding = kHistogramBindingLookback) writeonly buffer Lookback { uint lookback[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint local_counts[kRadixMaxPasses * kRadixBins];

void main() {
  const uint n = counters[push.count_slot];
  const uint blocks = counters[push.blocks_slot];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;
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
