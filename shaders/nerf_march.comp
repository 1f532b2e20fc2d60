#version 460
// Draws this step's rays and their samples (rules in shaderio.h): ray i of step s
// hashes h0 = pcg(pcg(seed) ^ (s * max_rays + i)), h1 = pcg(h0), h2 = pcg(h1): image
// h0 mod images, pixel h1 mod (width * height) through its centre, the first sample
// unit_float(h2) of a step past the box; cells count as occupied above the threshold
// nerf_grid_mean last set. The ray counts its samples, claims them with
// one atomic add and marches again to write them. The C++ twin is field::nerf_march.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "field_random.glsl"

layout(std430, binding = kNerfBindingGrid) readonly buffer Grid { float grid[]; };
float nerf_grid_value(uint index) { return grid[index]; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingCameras) readonly buffer Cameras { vec4 cameras[]; };
layout(std430, binding = kNerfBindingRays) writeonly buffer Rays { uvec4 rays[]; };
layout(std430, binding = kNerfBindingSteps) writeonly buffer Steps { float steps[]; };
layout(std430, binding = kNerfBindingPositions) writeonly buffer Positions { float positions[]; };
layout(std430, binding = kNerfBindingDirections) writeonly buffer Directions { float directions[]; };
layout(std430, binding = kNerfBindingFieldControl) readonly buffer FieldControl { uint field_control[]; };
layout(std430, binding = kNerfBindingControl) buffer Control { uint control[]; };

void main() {
  const uint i = nerf_item();
  if (i >= push.max_rays) return;
  if (i >= control[kNerfControlRays]) {
    rays[i] = uvec4(0);
    return;
  }
  const uint h0 = pcg_hash(pcg_hash(push.seed) ^ (field_control[kFieldControlStep] * push.max_rays + i));
  const uint h1 = pcg_hash(h0);
  const uint h2 = pcg_hash(h1);
  const uint image = h0 % push.images;
  const uint pixel = h1 % (push.width * push.height);
  const float jitter = unit_float(h2);
  const vec4 r0 = cameras[4 * image], r1 = cameras[4 * image + 1], r2 = cameras[4 * image + 2];
  const vec4 k = cameras[4 * image + 3];
  const vec3 c = vec3((float(pixel % push.width) + 0.5 - k.z) / k.x, (float(pixel / push.width) + 0.5 - k.w) / k.y, 1.0);
  const vec3 d = normalize(vec3(dot(r0.xyz, c), dot(r1.xyz, c), dot(r2.xyz, c)));
  const vec3 o = vec3(r0.w, r1.w, r2.w);
  NerfMarchRules rules = nerf_rules();
  rules.threshold = uintBitsToFloat(control[kNerfControlThreshold]);
  float t_near, t_far;
  uint count = 0;
  vec3 p;
  float step;
  if (nerf_ray_box(o, d, t_near, t_far)) {
    float t = t_near + jitter * nerf_step_at(rules, t_near);
    while (count < push.max_samples && nerf_next_sample(rules, o, d, t_far, t, p, step)) {
      ++count;
      t += step;
    }
  }
  atomicAdd(control[kNerfControlRequested], count);
  uint first = count > 0 ? atomicAdd(control[kNerfControlSamples], count) : 0u;
  if (first + count > push.capacity) {
    count = 0;  // the batch is full: the ray is dropped this step
    first = 0;
  }
  rays[i] = uvec4(first, count, image, pixel);
  if (count == 0) return;
  float t = t_near + jitter * nerf_step_at(rules, t_near);
  for (uint n = 0; n < count && nerf_next_sample(rules, o, d, t_far, t, p, step); ++n) {
    const uint s = first + n;
    steps[s] = step;
    for (int a = 0; a < 3; ++a) {
      positions[3 * s + a] = p[a];
      directions[3 * s + a] = d[a];
    }
    t += step;
  }
}
