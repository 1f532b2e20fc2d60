#version 460
// Encodes a batch into the MLP's input rows: one invocation per (sample, level) blends
// the level's 8 corner entries; invocation (sample, levels) writes the direction's SH
// basis. The C++ twin is field::encode_inputs.
#include "field_common.glsl"
#include "splat_math.glsl"

layout(std430, binding = kFieldBindingLevels) readonly buffer Levels { uvec4 levels[]; };
layout(std430, binding = kFieldBindingParams) readonly buffer Params { float params[]; };
layout(std430, binding = kFieldBindingPositions) readonly buffer Positions { float positions[]; };
layout(std430, binding = kFieldBindingDirections) readonly buffer Directions { float directions[]; };
layout(std430, binding = kFieldBindingActivations) writeonly buffer Activations { float activations[]; };

void main() {
  const uint item = field_item();
  const uint per_sample = push.levels + 1;
  if (item >= push.batch * per_sample) return;
  const uint b = item / per_sample;
  const uint l = item % per_sample;
  const uint row = push.out_offset + b * push.in_dims;
  if (l == push.levels) {
    if (push.direction_degree < 0) return;
    const vec3 d = vec3(directions[3 * b], directions[3 * b + 1], directions[3 * b + 2]);
    float basis[16];
    sh_basis(d, uint(push.direction_degree), basis);
    const uint dims = uint((push.direction_degree + 1) * (push.direction_degree + 1));
    for (uint k = 0; k < dims; ++k) activations[row + push.levels * push.features + k] = basis[k];
    return;
  }
  const vec3 p = vec3(positions[3 * b], positions[3 * b + 1], positions[3 * b + 2]);
  uint entry[8];
  float weight[8];
  cell_corners(levels[l], p, entry, weight);
  for (uint f = 0; f < push.features; ++f) {
    precise float sum = 0.0;
    for (uint c = 0; c < 8; ++c) sum += weight[c] * params[entry[c] * push.features + f];
    activations[row + l * push.features + f] = sum;
  }
}
