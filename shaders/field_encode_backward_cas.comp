#version 460
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(std430, binding = kFieldBindingGradients) buffer Gradients { uint gradient_bits[]; };

void add_gradient(uint index, float value) {
  uint seen = gradient_bits[index];
  for (;;) {
    const uint wanted = floatBitsToUint(uintBitsToFloat(seen) + value);
    const uint before = atomicCompSwap(gradient_bits[index], seen, wanted);
    if (before == seen) break;
    seen = before;
  }
}

#include "field_encode_backward.glsl"
