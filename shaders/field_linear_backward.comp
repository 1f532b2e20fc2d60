#version 460
// One MLP layer backward, to its input: d_in[b][i] = sum_j W[j][i] * d_out[b][j], cut
// where the input (a ReLU output) was 0; only the first grad_dims columns. The C++
// twin is the input-gradient loop of field::backward.
#include "field_common.glsl"

layout(std430, binding = kFieldBindingParams) readonly buffer Params { float params[]; };
layout(std430, binding = kFieldBindingActivations) readonly buffer Activations { float activations[]; };
layout(std430, binding = kFieldBindingDeltas) buffer Deltas { float deltas[]; };

void main() {
  const uint item = field_item();
  if (item >= push.batch * push.grad_dims) return;
  const uint b = item / push.grad_dims;
  const uint i = item % push.grad_dims;
  const uint out_row = push.out_offset + b * push.out_dims;
  precise float sum = 0.0;
  for (uint j = 0; j < push.out_dims; ++j) sum += params[push.weight_offset + j * push.in_dims + i] * deltas[out_row + j];
  const uint k = push.in_offset + b * push.in_dims + i;
  if ((push.flags & kFieldFlagRelu) != 0 && !(activations[k] > 0.0)) sum = 0.0;
  deltas[k] = sum;
}
