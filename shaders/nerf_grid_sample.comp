#version 460
// Before a grid update: one field input per cell of this update's slice (slice
// (step / grid_interval) mod slices of cells_per_update cells), a point drawn uniformly
// in the cell from pcg(pcg(seed ^ cell) ^ step), seen from a training camera. Cells
// past the grid repeat the last one.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "field_random.glsl"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingCameras) readonly buffer Cameras { vec4 cameras[]; };
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
  const uint h = pcg_hash(pcg_hash(push.seed ^ cell) ^ field_control[kFieldControlStep]);
  const uvec3 c = uvec3(cell % g, (cell / g) % g, cell / (g * g));
  const uint h0 = pcg_hash(h), h1 = pcg_hash(h0), h2 = pcg_hash(h1), h3 = pcg_hash(h2);
  const vec3 p = (vec3(c) + vec3(unit_float(h0), unit_float(h1), unit_float(h2))) / float(g);
  // Density depends on the view direction in this field: look from a training camera
  // (h3 picks it), a direction training constrains, not one no photograph saw.
  const uint image = h3 % push.images;
  const vec3 origin = vec3(cameras[4 * image].w, cameras[4 * image + 1].w, cameras[4 * image + 2].w);
  const vec3 d = normalize(p - origin);
  positions[3 * i] = p.x;
  positions[3 * i + 1] = p.y;
  positions[3 * i + 2] = p.z;
  directions[3 * i] = d.x;
  directions[3 * i + 1] = d.y;
  directions[3 * i + 2] = d.z;
}
