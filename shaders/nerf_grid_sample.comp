#version 460
// Before a grid update: one field input per cell of this update's slice (slice
// (step / grid_interval) mod slices of cells_per_update cells), a point drawn uniformly
// in the cell from pcg(pcg(seed ^ cell) ^ step). Cells past the grid repeat the last one.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "field_random.glsl"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingPositions) writeonly buffer Positions { float positions[]; };
layout(std430, binding = kNerfBindingDirections) writeonly buffer Directions { float directions[]; };
layout(std430, binding = kNerfBindingFieldControl) readonly buffer FieldControl { uint field_control[]; };

uint grid_cell(uint i) {
  const uint g = push.grid_resolution;
  const uint cells = g * g * g;
  const uint slices = (cells + push.cells_per_update - 1) / push.cells_per_update;
  const uint slice = (field_control[kFieldControlStep] / push.grid_interval) % slices;
  return min(slice * push.cells_per_update + i, cells - 1);
}

void main() {
  const uint i = nerf_item();
  if (i >= push.cells_per_update) return;
  const uint cell = grid_cell(i);
  const uint g = push.grid_resolution;
  uint h = pcg_hash(pcg_hash(push.seed ^ cell) ^ field_control[kFieldControlStep]);
  const uvec3 c = uvec3(cell % g, (cell / g) % g, cell / (g * g));
  for (int a = 0; a < 3; ++a) {
    h = pcg_hash(h);
    positions[3 * i + a] = (float(c[a]) + unit_float(h)) / float(g);
    directions[3 * i + a] = a == 2 ? 1.0 : 0.0;
  }
}
