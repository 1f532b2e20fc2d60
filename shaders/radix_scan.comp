#version 460
// Radix sort, pass 2 of 3: one workgroup per digit turns its row of block counts into
// exclusive offsets within the digit and records the digit's total.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kScanBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kScanBindingHistogram) buffer Histogram { uint histogram[]; };
layout(std430, binding = kScanBindingDigitTotals) writeonly buffer DigitTotals { uint digit_totals[]; };

layout(push_constant) uniform Push { RadixPush push; };

#include "workgroup_scan.glsl"

void main() {
  const bool in_order = subgroups_in_invocation_order();
  const uint blocks = counters[push.blocks_slot];
  const uint digit = gl_WorkGroupID.x;
  const uint tid = gl_LocalInvocationID.x;
  uint running = 0;
  for (uint start = 0; start < blocks; start += kRadixWorkgroupSize) {
    const uint idx = start + tid;
    const uint value = idx < blocks ? histogram[digit * blocks + idx] : 0;
    uvec2 total;
    const uint before = workgroup_exclusive_scan(in_order, uvec2(value, 0u), total).x;
    if (idx < blocks) histogram[digit * blocks + idx] = running + before;
    running += total.x;
  }
  if (tid == 0) digit_totals[digit] = running;
}
