#version 460
// Adam on every parameter with bias correction for step control[step] + 1. The C++
// twin is field::adam_update.
#include "field_common.glsl"

layout(std430, binding = kFieldBindingParams) buffer Params { float params[]; };
layout(std430, binding = kFieldBindingGradients) readonly buffer Gradients { float gradients[]; };
layout(std430, binding = kFieldBindingAdamM) buffer AdamM { float adam_m[]; };
layout(std430, binding = kFieldBindingAdamV) buffer AdamV { float adam_v[]; };
layout(std430, binding = kFieldBindingControl) readonly buffer Control { uint control[]; };

void main() {
  const uint i = field_item();
  if (i >= push.count) return;
  const float t = float(control[kFieldControlStep] + 1);
  const float correction1 = 1.0 - pow(push.beta1, t);
  const float correction2 = 1.0 - pow(push.beta2, t);
  const float g = gradients[i];
  const precise float m = push.beta1 * adam_m[i] + (1.0 - push.beta1) * g;
  const precise float v = push.beta2 * adam_v[i] + (1.0 - push.beta2) * g * g;
  adam_m[i] = m;
  adam_v[i] = v;
  params[i] -= push.learning_rate * (m / correction1) / (sqrt(v / correction2) + push.epsilon);
}
