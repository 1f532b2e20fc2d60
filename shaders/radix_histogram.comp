#version 460
// Radix sort, pass 1 of 3: counts each block's 8-bit digits. Counts are stored digit-
// major (digit * blocks + block) so one scan per digit row yields scatter offsets.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kHistogramBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kHistogramBindingKeys) readonly buffer Keys { uint keys[]; };
layout(std430, binding = kHistogramBindingHistogram) writeonly buffer Histogram { uint histogram[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint local_counts[kRadixBins];

void main() {
  const uint n = counters[push.count_slot];
  const uint blocks = counters[push.blocks_slot];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  const uint tid = gl_LocalInvocationID.x;
  local_counts[tid] = 0;
  barrier();
  if (block < blocks) {
    const uint base = block * kRadixBlockSize;
    for (uint k = 0; k < kRadixItemsPerThread; ++k) {
      const uint idx = base + k * kRadixWorkgroupSize + tid;
      if (idx < n) atomicAdd(local_counts[(keys[idx] >> push.shift) & 0xFFu], 1u);
    }
  }
  barrier();
  if (block < blocks) histogram[tid * blocks + block] = local_counts[tid];
}
