#version 460
// A layer's weight gradient, second stage: the chunks' partial sums added in order.
#include "field_common.glsl"

layout(std430, binding = kFieldBindingGradients) writeonly buffer Gradients { float gradients[]; };
layout(std430, binding = kFieldBindingPartials) readonly buffer Partials { float partials[]; };

void main() {
  const uint w = field_item();
  const uint weights = push.in_dims * push.out_dims;
  if (w >= weights) return;
  precise float total = 0.0;
  for (uint c = 0; c < push.count; ++c) total += partials[c * weights + w];
  gradients[push.weight_offset + w] = total;
}
