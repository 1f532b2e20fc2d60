#version 460
// One MLP layer forward: out[b][j] = relu?(sum_i W[j][i] * in[b][i]), one invocation per
// (sample, output). The C++ twin is linear_forward in engine/field/field_model.cpp.
#include "field_common.glsl"

layout(std430, binding = kFieldBindingParams) readonly buffer Params { float params[]; };
layout(std430, binding = kFieldBindingActivations) buffer Activations { float activations[]; };

void main() {
  const uint item = field_item();
  if (item >= push.batch * push.out_dims) return;
  const uint b = item / push.out_dims;
  const uint j = item % push.out_dims;
  const uint in_row = push.in_offset + b * push.in_dims;
  const uint w_row = push.weight_offset + j * push.in_dims;
  precise float sum = 0.0;
  for (uint i = 0; i < push.in_dims; ++i) sum += params[w_row + i] * activations[in_row + i];
  if ((push.flags & kFieldFlagRelu) != 0) sum = max(sum, 0.0);
  activations[push.out_offset + b * push.out_dims + j] = sum;
}
