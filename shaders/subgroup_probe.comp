#version 460
// Checks, on the device, what the splat raster's block kernel assumes of a pipeline
// made with full 32-wide subgroups: a workgroup of the raster's size (256) runs as 8
// subgroups of 32 active invocations, numbered 0..7 and 0..31. Each invocation counts
// itself in the slot of its (subgroup, invocation) pair, or in the last slot when
// anything differs; the host expects every pair counted once per workgroup. (The CPU
// driver run with LP_NATIVE_VECTOR_WIDTH=1024 reports 32 and runs 16-wide subgroups.)
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
#include "shaderio.h"

layout(local_size_x = kRasterWorkgroupSize) in;
layout(std430, binding = kSubgroupProbeBindingSlots) buffer Slots { uint slots[]; };  // kRasterWorkgroupSize + 1

void main() {
  const uint live = subgroupBallotBitCount(subgroupBallot(true));
  const uint slot = gl_SubgroupID * 32u + gl_SubgroupInvocationID;
  const bool as_assumed = gl_SubgroupSize == 32u && live == 32u &&
                          gl_NumSubgroups * 32u == kRasterWorkgroupSize && slot < kRasterWorkgroupSize;
  atomicAdd(slots[as_assumed ? slot : kRasterWorkgroupSize], 1u);
}
