#version 460
// One training batch of a Gaussian scene's colour field (rules in shaderio.h), drawn
// from the step counter so the recorded step needs nothing from the CPU. The C++ twin
// is field::sample_colour_batch.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "field_random.glsl"
#include "splat_math.glsl"

layout(local_size_x = kFieldWorkgroupSize) in;
layout(push_constant) uniform Push { ColourSamplePush push; };

layout(std430, binding = kColourSampleBindingControl) readonly buffer Control { uint control[]; };
layout(std430, binding = kColourSampleBindingGaussians) readonly buffer Gaussians { vec4 gaussians[]; };
layout(std430, binding = kColourSampleBindingSh) readonly buffer Sh { float sh[]; };
layout(std430, binding = kColourSampleBindingViewpoints) readonly buffer Viewpoints { vec4 viewpoints[]; };
layout(std430, binding = kColourSampleBindingPositions) writeonly buffer Positions { float positions[]; };
layout(std430, binding = kColourSampleBindingDirections) writeonly buffer Directions { float directions[]; };
layout(std430, binding = kColourSampleBindingTargets) writeonly buffer Targets { float targets[]; };

const float kTwoPi = 6.283185307179586;

void main() {
  const uint i = (gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x) * kFieldWorkgroupSize + gl_LocalInvocationID.x;
  if (i >= push.batch) return;
  const uint h0 = pcg_hash(pcg_hash(push.seed) ^ (control[kFieldControlStep] * push.batch + i));
  const uint h1 = pcg_hash(h0);
  const uint h2 = pcg_hash(h1);
  const uint g = h0 % push.gaussians;
  vec3 d;
  if (push.viewpoints > 0) {
    d = normalize(gaussians[2 * g + 1].xyz - viewpoints[h1 % push.viewpoints].xyz);
  } else {
    const float z = 1.0 - 2.0 * unit_float(h1);
    const float r = sqrt(max(0.0, 1.0 - z * z));
    const float phi = kTwoPi * unit_float(h2);
    d = vec3(r * cos(phi), r * sin(phi), z);
  }
  float basis[16];
  sh_basis(d, push.sh_degree, basis);
  const uint coeffs = (push.sh_degree + 1) * (push.sh_degree + 1);
  const uint first = push.target == kColourTargetViewDependent ? 1u : 0u;
  for (uint c = 0; c < 3; ++c) {
    float sum = 0.0;
    for (uint k = first; k < coeffs; ++k) sum += basis[k] * sh[g * 48 + c * 16 + k];
    targets[3 * i + c] = push.target == kColourTargetViewDependent ? sum : max(0.0, 0.5 + sum);
  }
  const vec3 p = gaussians[2 * g].xyz;
  for (uint a = 0; a < 3; ++a) {
    positions[3 * i + a] = p[a];
    directions[3 * i + a] = d[a];
  }
}
