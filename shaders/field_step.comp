#version 460
// Counts the Adam step just taken (one invocation), after every reader of the count.
#include "field_common.glsl"

layout(std430, binding = kFieldBindingControl) buffer Control { uint control[]; };

void main() {
  if (field_item() == 0) control[kFieldControlStep] += 1;
}
