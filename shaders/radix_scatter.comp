#version 460
// Radix sort, pass 3 of 3: moves each key (and its payloads) to its place. Stable: each
// 256-key chunk is ordered by digit with four 2-bit splits (subgroup scans), so keys of
// equal digit keep their input order.
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kScatterBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kScatterBindingHistogram) readonly buffer Histogram { uint histogram[]; };
layout(std430, binding = kScatterBindingDigitTotals) readonly buffer DigitTotals { uint digit_totals[]; };
layout(std430, binding = kScatterBindingKeysIn) readonly buffer KeysIn { uint keys_in[]; };
layout(std430, binding = kScatterBindingKeysOut) writeonly buffer KeysOut { uint keys_out[]; };
layout(std430, binding = kScatterBindingAux1In) readonly buffer Aux1In { uint aux1_in[]; };
layout(std430, binding = kScatterBindingAux1Out) writeonly buffer Aux1Out { uint aux1_out[]; };
layout(std430, binding = kScatterBindingAux2In) readonly buffer Aux2In { uint aux2_in[]; };
layout(std430, binding = kScatterBindingAux2Out) writeonly buffer Aux2Out { uint aux2_out[]; };

layout(push_constant) uniform Push { RadixPush push; };

shared uint digit_base[kRadixBins];   // global offset of this block's next key of each digit
shared uint chunk_start[kRadixBins];  // first sorted slot of each digit in the chunk
shared uint chunk_count[kRadixBins];
shared uint subgroup_totals[kRadixWorkgroupSize];  // one per subgroup (any subgroup size)
shared uint s_key[kRadixWorkgroupSize];
shared uint s_aux1[kRadixWorkgroupSize];
shared uint s_aux2[kRadixWorkgroupSize];
shared uint s_digit[kRadixWorkgroupSize];  // digit | valid << 8

// This invocation's place in the workgroup's key order. Built from the subgroup indices
// so subgroup scans run along it, whatever order the device numbers invocations in.
uint slot_index() { return gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID; }

// Exclusive prefix sum of `value` along slot order; `total` receives the sum of all.
uint workgroup_exclusive_scan(uint value, out uint total) {
  const uint inclusive = subgroupInclusiveAdd(value);
  if (gl_SubgroupInvocationID == gl_SubgroupSize - 1) subgroup_totals[gl_SubgroupID] = inclusive;
  barrier();
  uint before = 0;
  total = 0;
  for (uint s = 0; s < gl_NumSubgroups; ++s) {
    const uint t = subgroup_totals[s];
    before += s < gl_SubgroupID ? t : 0;
    total += t;
  }
  barrier();
  return before + inclusive - value;
}

void main() {
  const uint n = counters[push.count_slot];
  const uint blocks = counters[push.blocks_slot];
  const uint block = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint slot = slot_index();

  // Start of each digit overall (exclusive scan of the totals) plus this block's offset.
  uint ignored;
  const uint total = digit_totals[slot];
  digit_base[slot] = workgroup_exclusive_scan(total, ignored) + histogram[slot * blocks + block];
  barrier();

  const uint base = block * kRadixBlockSize;
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint idx = base + k * kRadixWorkgroupSize + slot;
    const bool valid = idx < n;
    uint key = valid ? keys_in[idx] : 0xFFFFFFFFu;
    uint aux1 = valid ? aux1_in[idx] : 0;
    uint aux2 = valid && push.carry_aux2 != 0 ? aux2_in[idx] : 0;
    // Invalid slots take the largest digit and trail every valid key of it, so they
    // never shift a valid key's rank.
    uint digit = valid ? (key >> push.shift) & 0xFFu : 0xFFu;
    uint is_valid = valid ? 1u : 0u;

    chunk_count[slot] = 0;
    barrier();
    if (valid) atomicAdd(chunk_count[digit], 1u);

    // Stable local sort by digit, two bits a round: a 4-way split whose three lower
    // counts (each <= 256) share one scan as 10-bit fields of a uint.
    for (uint bit = 0; bit < 8; bit += 2) {
      const uint category = (digit >> bit) & 3u;
      const uint packed = category < 3 ? 1u << (10 * category) : 0u;
      uint totals;
      const uint before = workgroup_exclusive_scan(packed, totals);
      const uint t0 = totals & 0x3FFu, t1 = (totals >> 10) & 0x3FFu, t2 = (totals >> 20) & 0x3FFu;
      const uint e0 = before & 0x3FFu, e1 = (before >> 10) & 0x3FFu, e2 = (before >> 20) & 0x3FFu;
      uint pos;
      if (category == 0) pos = e0;
      else if (category == 1) pos = t0 + e1;
      else if (category == 2) pos = t0 + t1 + e2;
      else pos = t0 + t1 + t2 + (slot - e0 - e1 - e2);
      s_key[pos] = key;
      s_aux1[pos] = aux1;
      s_aux2[pos] = aux2;
      s_digit[pos] = digit | (is_valid << 8);
      barrier();
      key = s_key[slot];
      aux1 = s_aux1[slot];
      aux2 = s_aux2[slot];
      digit = s_digit[slot] & 0xFFu;
      is_valid = s_digit[slot] >> 8;
      barrier();
    }

    // First sorted slot of each digit within the chunk.
    const uint count = chunk_count[slot];
    chunk_start[slot] = workgroup_exclusive_scan(count, ignored);
    barrier();
    if (is_valid != 0u) {
      const uint dest = digit_base[digit] + (slot - chunk_start[digit]);
      keys_out[dest] = key;
      aux1_out[dest] = aux1;
      if (push.carry_aux2 != 0) aux2_out[dest] = aux2;
    }
    barrier();
    digit_base[slot] += count;
    barrier();
  }
}
