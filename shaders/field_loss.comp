#version 460
// The output activation per sample and, with kFieldFlagLoss, the squared error against
// the targets and its gradient 2 (y - t) / (batch * outputs) with respect to the raw
// outputs. The C++ twins are field::forward and the start of field::backward.
#include "field_common.glsl"

layout(std430, binding = kFieldBindingTargets) readonly buffer Targets { float targets[]; };
layout(std430, binding = kFieldBindingActivations) readonly buffer Activations { float activations[]; };
layout(std430, binding = kFieldBindingDeltas) writeonly buffer Deltas { float deltas[]; };
layout(std430, binding = kFieldBindingOutputs) writeonly buffer Outputs { float outputs[]; };
layout(std430, binding = kFieldBindingLosses) writeonly buffer Losses { float losses[]; };

void main() {
  const uint b = field_item();
  if (b >= push.batch) return;
  const bool with_loss = (push.flags & kFieldFlagLoss) != 0;
  const float scale = 2.0 / float(push.batch * push.out_dims);
  float loss = 0.0;
  for (uint o = 0; o < push.out_dims; ++o) {
    const uint k = b * push.out_dims + o;
    const float z = activations[push.out_offset + k];
    const float y = push.output_activation == kFieldActivationSigmoid ? 1.0 / (1.0 + exp(-z)) : z;
    outputs[k] = y;
    if (!with_loss) continue;
    const float diff = y - targets[k];
    loss += diff * diff;
    precise float d = scale * diff;
    if (push.output_activation == kFieldActivationSigmoid) d *= y * (1.0 - y);
    deltas[push.out_offset + k] = d;
  }
  if (with_loss) losses[b] = loss;
}
