#version 460
// A layer's weight gradient, first stage: partials[c][j * in + i] sums
// d_out[b][j] * in[b][i] over chunk c's kFieldWeightGradChunk samples in order.
// field_weight_reduce.comp adds the chunks in order, so the result never depends on
// scheduling (no atomics).
#include "field_common.glsl"

layout(std430, binding = kFieldBindingActivations) readonly buffer Activations { float activations[]; };
layout(std430, binding = kFieldBindingDeltas) readonly buffer Deltas { float deltas[]; };
layout(std430, binding = kFieldBindingPartials) writeonly buffer Partials { float partials[]; };

void main() {
  const uint item = field_item();
  const uint weights = push.in_dims * push.out_dims;
  if (item >= push.count * weights) return;
  const uint c = item / weights;
  const uint w = item % weights;
  const uint j = w / push.in_dims;
  const uint i = w % push.in_dims;
  const uint first = c * kFieldWeightGradChunk;
  const uint last = min(push.batch, first + kFieldWeightGradChunk);
  precise float part = 0.0;
  for (uint b = first; b < last; ++b) {
    part += deltas[push.out_offset + b * push.out_dims + j] * activations[push.in_offset + b * push.in_dims + i];
  }
  partials[item] = part;
}
