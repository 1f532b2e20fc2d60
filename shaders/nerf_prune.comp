#version 460
// While a pruned field is fine-tuned, after every Adam update: the features of each hash
// entry whose keep bit is clear go back to zero, so the rest of the field learns to do
// without them (a pruned file drops those entries, and they decode as zeros).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingKeep) readonly buffer Keep { uint keep[]; };
layout(std430, binding = kNerfBindingFieldParams) buffer Params { float params[]; };

void main() {
  const uint entry = nerf_item();
  if (entry >= push.hash_entries || ((keep[entry >> 5] >> (entry & 31u)) & 1u) != 0u) return;
  for (uint k = 0; k < push.features; ++k) params[entry * push.features + k] = 0.0;
}
