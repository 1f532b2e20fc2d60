// Scatters the first layer's input gradients (the hash features' part) into the hash
// table's gradients: one invocation per (sample, level), 8 corners x features adds.
// The C++ twin is field::hash_encode_backward. Included by field_encode_backward.comp
// (float atomics) and field_encode_backward_cas.comp (compare-and-swap on the float's
// bits, for devices without shaderBufferFloat32AtomicAdd).
#include "field_common.glsl"

layout(std430, binding = kFieldBindingLevels) readonly buffer Levels { uvec4 levels[]; };
layout(std430, binding = kFieldBindingPositions) readonly buffer Positions { float positions[]; };
layout(std430, binding = kFieldBindingDeltas) readonly buffer Deltas { float deltas[]; };

void main() {
  const uint item = field_item();
  if (item >= push.batch * push.levels) return;
  const uint b = item / push.levels;
  const uint l = item % push.levels;
  const vec3 p = vec3(positions[3 * b], positions[3 * b + 1], positions[3 * b + 2]);
  uint entry[8];
  float weight[8];
  cell_corners(levels[l], p, entry, weight);
  const uint row = push.in_offset + b * push.in_dims + l * push.features;
  for (uint f = 0; f < push.features; ++f) {
    const float g = deltas[row + f];
    if (g == 0.0) continue;
    for (uint c = 0; c < 8; ++c) {
      if (weight[c] != 0.0) add_gradient(entry[c] * push.features + f, weight[c] * g);
    }
  }
}
