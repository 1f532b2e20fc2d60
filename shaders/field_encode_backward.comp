#version 460
#extension GL_EXT_shader_atomic_float : require
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(std430, binding = kFieldBindingGradients) buffer Gradients { float gradients[]; };

void add_gradient(uint index, float value) { atomicAdd(gradients[index], value); }

#include "field_encode_backward.glsl"
