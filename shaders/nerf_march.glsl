// Ray marching through the occupancy grid, shared by nerf_march.comp and
// nerf_render.comp (twin of field::nerf_march: change both together). The includer
// defines nerf_grid_value(index).

struct NerfMarchRules {
  uint grid_resolution;
  float threshold;
  float min_step;
  float max_step;
  float cone;
};

float nerf_step_at(NerfMarchRules r, float t) { return clamp(t * r.cone, r.min_step, r.max_step); }

// One axis's slab [0, 1]: narrows [lo, hi] to where the ray is inside it. Written per
// axis without loops: llvmpipe miscompiled the loop form (an axis skipped).
void nerf_slab(float o, float d, inout float lo, inout float hi) {
  if (d == 0.0) {
    // Parallel: inside the slab everywhere or nowhere.
    if (o < 0.0 || o > 1.0) {
      lo = 1.0;
      hi = 0.0;
    }
    return;
  }
  const float inv = 1.0 / d;
  const float t0 = (0.0 - o) * inv, t1 = (1.0 - o) * inv;
  lo = max(lo, min(t0, t1));
  hi = min(hi, max(t0, t1));
}

// The ray's span inside the unit cube; false when it misses.
bool nerf_ray_box(vec3 o, vec3 d, out float t_near, out float t_far) {
  float lo = 0.0, hi = 3.402823e38;
  nerf_slab(o.x, d.x, lo, hi);
  nerf_slab(o.y, d.y, lo, hi);
  nerf_slab(o.z, d.z, lo, hi);
  t_near = lo;
  t_far = hi;
  return lo < hi;
}

// Where the ray leaves `cell` along one axis (no limit when parallel to it).
float nerf_cell_exit(float o, float d, uint cell, float g) {
  if (d == 0.0) return 3.402823e38;
  const precise float boundary = float(cell + (d > 0.0 ? 1u : 0u)) / g;
  const precise float t = (boundary - o) / d;
  return t;
}

// The march at t: true with the sample's position and step where t's cell is occupied,
// else false with how far to advance (to the cell's exit, on the lattice of steps).
bool nerf_probe(NerfMarchRules r, vec3 o, vec3 d, float t, out vec3 p, out float step, out float skip) {
  const float g = float(r.grid_resolution);
  step = nerf_step_at(r, t);
  const precise vec3 x = o + t * d;
  p = clamp(x, vec3(0.0), vec3(1.0));
  const precise vec3 scaled = p * g;
  const uvec3 cell = min(uvec3(scaled), uvec3(r.grid_resolution - 1u));
  const uint index = cell.x + r.grid_resolution * (cell.y + r.grid_resolution * cell.z);
  skip = 0.0;
  if (nerf_grid_value(index) > r.threshold) return true;
  const float t_exit = min(min(nerf_cell_exit(o.x, d.x, cell.x, g), nerf_cell_exit(o.y, d.y, cell.y, g)),
                           nerf_cell_exit(o.z, d.z, cell.z, g));
  const precise float advance = ceil(max((t_exit - t) / step, 0.5)) * step;
  skip = advance;
  return false;
}

// Advances t to the next sample in an occupied cell before t_far: its position and
// step. The caller adds the step to t after using the sample.
bool nerf_next_sample(NerfMarchRules r, vec3 o, vec3 d, float t_far, inout float t, out vec3 p, out float step) {
  const float g = float(r.grid_resolution);
  while (t < t_far) {
    step = nerf_step_at(r, t);
    const precise vec3 x = o + t * d;
    p = clamp(x, vec3(0.0), vec3(1.0));
    const precise vec3 scaled = p * g;
    const uvec3 cell = min(uvec3(scaled), uvec3(r.grid_resolution - 1u));
    const uint index = cell.x + r.grid_resolution * (cell.y + r.grid_resolution * cell.z);
    if (nerf_grid_value(index) > r.threshold) return true;
    const float t_exit = min(min(nerf_cell_exit(o.x, d.x, cell.x, g), nerf_cell_exit(o.y, d.y, cell.y, g)),
                             nerf_cell_exit(o.z, d.z, cell.z, g));
    const precise float skip = ceil(max((t_exit - t) / step, 0.5)) * step;
    t += skip;
  }
  return false;
}

float nerf_density(float raw) { return exp(min(raw, 15.0)); }
float nerf_colour(float raw) { return 1.0 / (1.0 + exp(-raw)); }
