#version 460
// Radix sort, pass 3 of 3: moves each key and its value to its place. Stable.
// The block's keys are ranked in kRadixSegments consecutive segments, one per
// kRadixSegmentWidth invocations, one key per invocation a step: a key's rank among the
// equal digits of its step comes from subgroup ballots where the segment is one
// subgroup, else from reading the step's digits in shared memory (any subgroup size),
// and per-segment digit counters carry it across steps. Where segments are subgroups,
// each one ranks its keys alone, with no workgroup barrier between steps: the pass was
// bound by the latency of its chain of barriers, not by memory. The ranked block is then
// laid out by digit in shared memory and written in runs, neighbouring invocations to
// neighbouring addresses. The tile sort's last pass also records where each tile's
// instances lie (RadixPush.tile_ranges).
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_vote : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "shaderio.h"
#include "radix_scatter.glsl"
