#version 460
// Radix sort, pass 3 of 3: moves each key (and its payloads) to its place. Stable: each
// 256-key chunk is ordered by digit with eight 1-bit splits in shared memory, so keys of
// equal digit keep their input order.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Counters { uint counters[]; };
layout(std430, binding = 1) readonly buffer Histogram { uint histogram[]; };
layout(std430, binding = 2) readonly buffer DigitTotals { uint digit_totals[]; };
layout(std430, binding = 3) readonly buffer KeysIn { uint keys_in[]; };
layout(std430, binding = 4) writeonly buffer KeysOut { uint keys_out[]; };
layout(std430, binding = 5) readonly buffer Aux1In { uint aux1_in[]; };
layout(std430, binding = 6) writeonly buffer Aux1Out { uint aux1_out[]; };
layout(std430, binding = 7) readonly buffer Aux2In { uint aux2_in[]; };
layout(std430, binding = 8) writeonly buffer Aux2Out { uint aux2_out[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint digit_base[kRadixBins];   // global offset of this block's first key of each digit
shared uint chunk_start[kRadixBins];  // first sorted slot of each digit in the chunk
shared uint chunk_count[kRadixBins];
shared uint scan[kRadixWorkgroupSize];
shared uint s_key[kRadixWorkgroupSize];
shared uint s_aux1[kRadixWorkgroupSize];
shared uint s_aux2[kRadixWorkgroupSize];
shared uint s_digit[kRadixWorkgroupSize];  // digit | valid << 8

// Inclusive prefix sum of `value` over the workgroup.
uint workgroup_scan(uint value) {
  const uint tid = gl_LocalInvocationID.x;
  scan[tid] = value;
  barrier();
  for (uint step = 1; step < kRadixWorkgroupSize; step <<= 1) {
    const uint add = tid >= step ? scan[tid - step] : 0;
    barrier();
    scan[tid] += add;
    barrier();
  }
  const uint result = scan[tid];
  barrier();
  return result;
}

void main() {
  const uint n = counters[push.count_slot];
  const uint blocks = counters[push.blocks_slot];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint tid = gl_LocalInvocationID.x;

  // Start of each digit overall (exclusive scan of the totals) plus this block's offset.
  const uint total = digit_totals[tid];
  const uint digit_offset = workgroup_scan(total) - total;
  digit_base[tid] = digit_offset + histogram[tid * blocks + block];
  barrier();

  const uint base = block * kRadixBlockSize;
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint idx = base + k * kRadixWorkgroupSize + tid;
    const bool valid = idx < n;
    uint key = valid ? keys_in[idx] : 0xFFFFFFFFu;
    uint aux1 = valid ? aux1_in[idx] : 0;
    uint aux2 = valid && push.carry_aux2 != 0 ? aux2_in[idx] : 0;
    // Invalid slots take the largest digit and trail every valid key of it, so they
    // never shift a valid key's rank.
    uint digit = valid ? (key >> push.shift) & 0xFFu : 0xFFu;
    uint is_valid = valid ? 1u : 0u;

    chunk_count[tid] = 0;
    barrier();
    if (valid) atomicAdd(chunk_count[digit], 1u);

    // Stable local sort by digit: one 1-bit split per digit bit.
    for (uint bit = 0; bit < 8; ++bit) {
      const uint zero = 1u - ((digit >> bit) & 1u);
      const uint zeros_before = workgroup_scan(zero) - zero;
      const uint zeros_total = scan[kRadixWorkgroupSize - 1];
      const uint pos = zero != 0u ? zeros_before : zeros_total + (tid - zeros_before);
      s_key[pos] = key;
      s_aux1[pos] = aux1;
      s_aux2[pos] = aux2;
      s_digit[pos] = digit | (is_valid << 8);
      barrier();
      key = s_key[tid];
      aux1 = s_aux1[tid];
      aux2 = s_aux2[tid];
      digit = s_digit[tid] & 0xFFu;
      is_valid = s_digit[tid] >> 8;
      barrier();
    }

    // First sorted slot of each digit within the chunk.
    const uint count = chunk_count[tid];
    chunk_start[tid] = workgroup_scan(count) - count;
    barrier();
    if (is_valid != 0u) {
      const uint dest = digit_base[digit] + (tid - chunk_start[digit]);
      keys_out[dest] = key;
      aux1_out[dest] = aux1;
      if (push.carry_aux2 != 0) aux2_out[dest] = aux2;
    }
    barrier();
    digit_base[tid] += count;
    barrier();
  }
}
