#version 460
// A grid update's second half, one invocation per cell (Instant-NGP's rule): every cell
// decays; a cell of this update's slice keeps the larger of its decayed estimate and
// the density the field gives at the point nerf_grid_sample drew in it.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingGrid) buffer Grid { float grid[]; };
layout(std430, binding = kNerfBindingOutputs) readonly buffer Outputs { float outputs[]; };
layout(std430, binding = kNerfBindingFieldControl) readonly buffer FieldControl { uint field_control[]; };

void main() {
  const uint cell = nerf_item();
  const uint g = push.grid_resolution;
  const uint cells = g * g * g;
  if (cell >= cells) return;
  const uint slices = (cells + push.cells_per_update - 1) / push.cells_per_update;
  const uint first = ((field_control[kFieldControlStep] / push.grid_interval) % slices) * push.cells_per_update;
  float value = grid[cell] * push.decay;
  if (cell >= first && cell - first < push.cells_per_update) {
    value = max(value, nerf_density(outputs[kNerfOutputs * (cell - first)]));
  }
  grid[cell] = value;
}
