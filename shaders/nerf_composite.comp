#version 460
// Composites each ray's samples front to back over the ray's background from the
// field's raw outputs, and writes the squared error against its pixel (premultiplied,
// over the same background) and the gradient of the mean over rays and channels with
// respect to every raw output into the field's deltas (zeros past the sample that ends
// the ray). A random background per ray (h3, h4, h5 continuing nerf_march's hash chain
// h0, h1, h2) makes transparency the only way to match a transparent pixel, so the field
// cannot hide density of the background's colour in empty space. The C++ twins are
// field::nerf_training_background, nerf_training_target and nerf_composite_backward.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "field_random.glsl"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingPixels) readonly buffer Pixels { uint pixels[]; };
layout(std430, binding = kNerfBindingRays) readonly buffer Rays { uvec4 rays[]; };
layout(std430, binding = kNerfBindingRayLoss) writeonly buffer RayLoss { float ray_loss[]; };
layout(std430, binding = kNerfBindingSteps) readonly buffer Steps { float steps[]; };
layout(std430, binding = kNerfBindingOutputs) readonly buffer Outputs { float outputs[]; };
layout(std430, binding = kNerfBindingDeltas) writeonly buffer Deltas { float deltas[]; };
layout(std430, binding = kNerfBindingFieldControl) readonly buffer FieldControl { uint field_control[]; };
layout(std430, binding = kNerfBindingControl) readonly buffer Control { uint control[]; };

vec3 ray_background(uint i) {
  if (push.random_background == 0u) return vec3(push.background_r, push.background_g, push.background_b);
  const uint h0 = pcg_hash(pcg_hash(push.seed) ^ (field_control[kFieldControlStep] * push.max_rays + i));
  const uint h3 = pcg_hash(pcg_hash(pcg_hash(h0)));
  const uint h4 = pcg_hash(h3), h5 = pcg_hash(h4);
  return vec3(unit_float(h3), unit_float(h4), unit_float(h5));
}

const float kMinTransmittance = 1e-4;

void main() {
  const uint i = nerf_item();
  if (i >= push.max_rays) return;
  const uint ray_count = control[kNerfControlRays];
  if (i >= ray_count) {
    ray_loss[i] = 0.0;
    return;
  }
  const uvec4 ray = rays[i];
  const vec3 background = ray_background(i);
  float t = 1.0;
  vec3 colour = vec3(0.0);
  uint used = 0;
  for (uint n = 0; n < ray.y; ++n) {
    const uint s = ray.x + n;
    const float alpha = 1.0 - exp(-nerf_density(outputs[kNerfOutputs * s]) * steps[s]);
    const float w = t * alpha;
    for (int k = 0; k < 3; ++k) colour[k] += w * nerf_colour(outputs[kNerfOutputs * s + 1 + k]);
    t *= 1.0 - alpha;
    used = n + 1;
    if (t < kMinTransmittance) break;
  }
  for (int k = 0; k < 3; ++k) colour[k] += t * background[k];
  const vec4 pixel = unpackUnorm4x8(pixels[ray.z * push.width * push.height + ray.w]);
  const vec3 target = pixel.rgb + (1.0 - pixel.a) * background;
  const float scale = 1.0 / (3.0 * float(ray_count));
  vec3 d_c;
  float loss = 0.0;
  for (int k = 0; k < 3; ++k) {
    const float diff = colour[k] - target[k];
    loss += diff * diff;
    d_c[k] = scale * 2.0 * diff;
  }
  ray_loss[i] = loss;
  t = 1.0;
  vec3 acc = vec3(0.0);
  for (uint n = 0; n < ray.y; ++n) {
    const uint s = ray.x + n;
    const uint o = push.delta_offset + kNerfOutputs * s;
    if (n >= used) {
      for (uint k = 0; k < kNerfOutputs; ++k) deltas[o + k] = 0.0;
      continue;
    }
    const float raw = outputs[kNerfOutputs * s];
    const float sigma = nerf_density(raw);
    const float alpha = 1.0 - exp(-sigma * steps[s]);
    const float w = t * alpha;
    t *= 1.0 - alpha;
    float d_sigma = 0.0;
    for (int k = 0; k < 3; ++k) {
      const float col = nerf_colour(outputs[kNerfOutputs * s + 1 + k]);
      acc[k] += w * col;
      const float suffix = colour[k] - acc[k];
      d_sigma += d_c[k] * (t * col - suffix);
      deltas[o + 1 + k] = d_c[k] * w * col * (1.0 - col);
    }
    deltas[o] = raw < 15.0 ? d_sigma * steps[s] * sigma : 0.0;
  }
}
