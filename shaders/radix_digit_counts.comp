#version 460
// Radix sort, before its passes: counts the digits of RadixPush.passes passes (8 bits each
// from RadixPush.shift) over all keys in one read, into each pass's state record. Each
// pass's scatter scans its row into where every digit's keys start.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kDigitCountsBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kDigitCountsBindingKeys) readonly buffer Keys { uint keys[]; };
layout(std430, binding = kDigitCountsBindingState) buffer State { uint state[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint local_counts[kRadixMaxPasses * kRadixBins];

void main() {
  const uint n = counters[push.count_slot];
  const uint blocks = counters[push.blocks_slot];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint tid = gl_LocalInvocationID.x;
  const uint passes = min(push.passes, kRadixMaxPasses);
  for (uint p = 0; p < kRadixMaxPasses; ++p) local_counts[p * kRadixBins + tid] = 0;
  barrier();
  if (block < blocks) {
    const uint base = block * kRadixBlockSize;
    for (uint k = 0; k < kRadixItemsPerThread; ++k) {
      const uint idx = base + k * kRadixWorkgroupSize + tid;
      if (idx >= n) break;
      const uint key = keys[idx];
      for (uint p = 0; p < passes; ++p) atomicAdd(local_counts[p * kRadixBins + ((key >> (push.shift + 8 * p)) & 0xFFu)], 1u);
    }
  }
  barrier();
  if (block >= blocks) return;
  // Most blocks hold few distinct high digits: only the bins they touched go out.
  for (uint p = 0; p < passes; ++p) {
    const uint count = local_counts[p * kRadixBins + tid];
    if (count != 0) atomicAdd(state[push.state + p * kRadixStateWords + tid], count);
  }
}
