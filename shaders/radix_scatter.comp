#version 460
// Radix sort, one dispatch a pass: moves each key and its value to its place. Stable.
// The block's keys are ranked in kRadixSegments consecutive segments, one per
// kRadixSegmentWidth invocations, one key per invocation a step: a key's rank among the
// equal digits of its step comes from subgroup ballots where the segment is one
// subgroup, else from reading the step's digits in shared memory (any subgroup size),
// and per-segment digit counters carry it across steps. Where segments are subgroups,
// each one ranks its keys alone, with no workgroup barrier between steps: the pass was
// bound by the latency of its chain of barriers, not by memory. The ranked block is then
// laid out by digit in shared memory and written in runs, neighbouring invocations to
// neighbouring addresses. Where each digit's keys of the block start in the output comes
// from the digit's total over earlier blocks, found by looking back at their published
// counts (shaderio.h) while this block ranks. The tile sort's last pass also records
// where each tile's instances lie (RadixPush.tile_ranges).
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require
#include "shaderio.h"

layout(local_size_x = kRadixWorkgroupSize) in;

layout(std430, binding = kScatterBindingCounters) readonly buffer Counters { uint counters[]; };
layout(std430, binding = kScatterBindingState) buffer State { uint state[]; };
layout(std430, binding = kScatterBindingLookback) coherent buffer Lookback { uint lookback[]; };
layout(std430, binding = kScatterBindingLookbackNext) writeonly buffer LookbackNext { uint lookback_next[]; };
layout(std430, binding = kScatterBindingKeysIn) readonly buffer KeysIn { uint keys_in[]; };
layout(std430, binding = kScatterBindingKeysOut) writeonly buffer KeysOut { uint keys_out[]; };
layout(std430, binding = kScatterBindingValuesIn) readonly buffer ValuesIn { uint values_in[]; };
layout(std430, binding = kScatterBindingValuesOut) writeonly buffer ValuesOut { uint values_out[]; };
layout(std430, binding = kScatterBindingTileRanges) buffer TileRanges { uint tile_ranges[]; };

layout(push_constant) uniform Push { RadixPush push; };

const uint kNoDigit = kRadixBins;  // keys past the end
shared uint block_keys[kRadixBlockSize];    // the block in digit order; before that, each step's digits
shared uint block_values[kRadixBlockSize];
shared uint segment_counts[kRadixSegments * kRadixBins];  // per segment and digit
shared uint digit_base[kRadixBins];   // where the block's first key of each digit goes
shared uint digit_start[kRadixBins];  // first slot of each digit in block_keys
shared uint block_index;
#include "workgroup_scan.glsl"

#include "radix_lookback.glsl"

void main() {
  const uint n = counters[push.count_slot];
  const uint blocks = counters[push.blocks_slot];
  const uint tid = gl_LocalInvocationIndex;
  if (tid == 0u) block_index = atomicAdd(state[kRadixStateBlockCounters + push.pass], 1u);
  barrier();
  const uint block = block_index;
  if (block >= blocks) return;  // uniform across the workgroup
  const uint segment = tid / kRadixSegmentWidth, lane = tid % kRadixSegmentWidth;
  const uint segment_first = block * kRadixBlockSize + segment * kRadixSegmentWidth * kRadixItemsPerThread;

  // Every load first, so that their latencies overlap instead of adding up across the
  // barriers below.
  uint keys[kRadixItemsPerThread], values[kRadixItemsPerThread], ranks[kRadixItemsPerThread];
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint idx = segment_first + k * kRadixSegmentWidth + lane;
    keys[k] = idx < n ? keys_in[idx] : 0;
  }
  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    const uint idx = segment_first + k * kRadixSegmentWidth + lane;
    values[k] = idx < n ? values_in[idx] : 0;
  }
  const uint digit_total = state[kRadixStateDigitTotals + push.pass * kRadixBins + tid];
  lookback_next[block * kRadixBins + tid] = 0u;  // the next pass's word, unread until then
  for (uint s = 0; s < kRadixSegments; ++s) segment_counts[s * kRadixBins + tid] = 0;

  // Where the segment is exactly one subgroup, in lane order (32-wide subgroups numbered
  // along the invocations, as on most GPUs), ballots rank the keys; elsewhere the step's
  // digits in shared memory do. The same answer in every invocation.
  const bool in_order = subgroups_in_invocation_order();  // its barriers also order the zeroing above
  const bool segment_is_subgroup = in_order && gl_SubgroupSize == kRadixSegmentWidth;
  if (segment_is_subgroup) {
    for (uint k = 0; k < kRadixItemsPerThread; ++k) {
      const bool valid = segment_first + k * kRadixSegmentWidth + lane < n;
      const uint digit = valid ? (keys[k] >> push.shift) & 0xFFu : kNoDigit;
      // The lanes of equal digit (nine bits: kNoDigit too) from nine ballots.
      uvec4 peers = subgroupBallot(true);
      for (uint b = 0; b < 9; ++b) {
        const bool set = ((digit >> b) & 1u) != 0u;
        const uvec4 ballot = subgroupBallot(set);
        peers &= set ? ballot : ~ballot;
      }
      const uint before = subgroupBallotExclusiveBitCount(peers);
      // The first lane of each digit bumps the segment's counter; the others learn the
      // count before the bump from it.
      uint prior = 0;
      if (valid && before == 0) {
        const uint slot = segment * kRadixBins + digit;
        prior = segment_counts[slot];
        segment_counts[slot] = prior + subgroupBallotBitCount(peers);
      }
      ranks[k] = subgroupShuffle(prior, subgroupBallotFindLSB(peers)) + before;  // used if valid
      subgroupBarrier();  // this step's counters are written before the next step reads them
    }
  }
  for (uint k = 0; k < kRadixItemsPerThread && !segment_is_subgroup; ++k) {
    const bool valid = segment_first + k * kRadixSegmentWidth + lane < n;
    const uint digit = valid ? (keys[k] >> push.shift) & 0xFFu : kNoDigit;
    block_keys[tid] = digit;
    barrier();  // the step's digits are in; the last step's counter updates are done
    uint before = 0, same = 0;
    for (uint l = 0; l < kRadixSegmentWidth; ++l) {
      const bool equal = block_keys[segment * kRadixSegmentWidth + l] == digit;
      same += equal ? 1u : 0u;
      before += equal && l < lane ? 1u : 0u;
    }
    ranks[k] = segment_counts[segment * kRadixBins + min(digit, kRadixBins - 1)] + before;  // used if valid
    barrier();  // every rank has read the counters and the digits before they change
    if (valid && before == 0) segment_counts[segment * kRadixBins + digit] += same;
  }
  barrier();

  // Per digit (one per invocation): segment offsets, the digit's block count, its first
  // slot in the block and its global destination.
  uint block_count = 0;
  for (uint s = 0; s < kRadixSegments; ++s) {
    const uint c = segment_counts[s * kRadixBins + tid];
    segment_counts[s * kRadixBins + tid] = block_count;
    block_count += c;
  }
  // Published at once, so that later blocks can look past this one while it scans.
  const uint word = block * kRadixBins + tid;
  atomicExchange(lookback[word], (block == 0u ? kRadixLookbackPrefix : kRadixLookbackAggregate) | block_count);
  uvec2 total;
  const uvec2 start = workgroup_exclusive_scan(in_order, uvec2(block_count, digit_total), total);
  const uint block_offset = count_before(block, tid);
  if (block != 0u) atomicExchange(lookback[word], kRadixLookbackPrefix | (block_offset + block_count));
  digit_start[tid] = start.x;
  digit_base[tid] = start.y + block_offset;
  barrier();

  for (uint k = 0; k < kRadixItemsPerThread; ++k) {
    if (segment_first + k * kRadixSegmentWidth + lane >= n) break;
    const uint digit = (keys[k] >> push.shift) & 0xFFu;
    const uint slot = digit_start[digit] + segment_counts[segment * kRadixBins + digit] + ranks[k];
    block_keys[slot] = keys[k];
    block_values[slot] = values[k];
  }
  barrier();

  const uint valid_count = min(kRadixBlockSize, n - block * kRadixBlockSize);
  for (uint slot = tid; slot < valid_count; slot += kRadixWorkgroupSize) {
    const uint key = block_keys[slot];
    const uint digit = (key >> push.shift) & 0xFFu;
    const uint dest = digit_base[digit] + slot - digit_start[digit];
    keys_out[dest] = key;
    values_out[dest] = block_values[slot];
    if (push.tile_ranges != 0u) {
      // The tile sort's last pass: the block holds its keys in tile order, so each run of
      // one tile is contiguous here and in the output. Its ends bound the tile's range;
      // runs of the same tile in other blocks lie just before or after.
      const uint tile = key & kTileKeyTileMask;
      if (slot == 0 || (block_keys[slot - 1] & kTileKeyTileMask) != tile) atomicMin(tile_ranges[tile], dest);
      if (slot + 1 == valid_count || (block_keys[slot + 1] & kTileKeyTileMask) != tile) {
        atomicMax(tile_ranges[push.tile_ranges + tile], dest + 1);
      }
    }
  }
}
