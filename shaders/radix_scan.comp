#version 460
// Radix sort, pass 2 of 3: one workgroup per digit turns its row of block counts into
// exclusive offsets within the digit and records the digit's total. Dispatched with one
// workgroup it is a plain exclusive scan of one row (used for per-block sums).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kScanBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kScanBindingHistogram) buffer Histogram { uint histogram[]; };
layout(std430, binding = kScanBindingDigitTotals) writeonly buffer DigitTotals { uint digit_totals[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint scan[kRadixWorkgroupSize];

void main() {
  const uint blocks = counters[push.blocks_slot];
  const uint digit = gl_WorkGroupID.x;
  const uint tid = gl_LocalInvocationID.x;
  uint running = 0;
  for (uint start = 0; start < blocks; start += kRadixWorkgroupSize) {
    const uint idx = start + tid;
    const uint value = idx < blocks ? histogram[digit * blocks + idx] : 0;
    scan[tid] = value;
    barrier();
    for (uint step = 1; step < kRadixWorkgroupSize; step <<= 1) {
      const uint add = tid >= step ? scan[tid - step] : 0;
      barrier();
      scan[tid] += add;
      barrier();
    }
    if (idx < blocks) histogram[digit * blocks + idx] = running + scan[tid] - value;
    running += scan[kRadixWorkgroupSize - 1];
    barrier();
  }
  if (tid == 0) digit_totals[digit] = running;
}
