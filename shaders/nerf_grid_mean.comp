#version 460
// After a grid update, one workgroup: the density threshold the march uses,
// min(density_threshold, the mean of the grid), written to the control buffer
// (Instant-NGP's rule: early on, when the field's density is low everywhere, the cells
// above the mean stay occupied instead of none). The C++ twin is
// field::nerf_march_threshold.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingGrid) readonly buffer Grid { float grid[]; };
layout(std430, binding = kNerfBindingControl) buffer Control { uint control[]; };

shared float partial[kNerfWorkgroupSize];

void main() {
  const uint lane = gl_LocalInvocationID.x;
  const uint g = push.grid_resolution;
  const uint cells = g * g * g;
  float sum = 0.0;
  for (uint i = lane; i < cells; i += kNerfWorkgroupSize) sum += grid[i];
  partial[lane] = sum;
  barrier();
  for (uint width = kNerfWorkgroupSize / 2; width > 0; width /= 2) {
    if (lane < width) partial[lane] += partial[lane + width];
    barrier();
  }
  if (lane == 0 && nerf_item() == 0) {
    control[kNerfControlThreshold] = floatBitsToUint(min(push.density_threshold, partial[0] / float(cells)));
  }
}
