// The radiance-field renderer, included by nerf_render.comp (GPUs) and
// nerf_render_llvmpipe.comp (the CPU driver); the two differ only in how field_at is
// written, not in what it computes.
// Renders a radiance field (rules in shaderio.h): one invocation per pixel marches its
// centre's ray through the occupancy grid, evaluates the field at each sample in the
// shader (hash encoding, SH of the direction, the MLP) and composites front to back
// until transmittance falls under 1e-4. The C++ twin is field::render_nerf_reference.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "splat_math.glsl"

layout(local_size_x = kNerfRenderWorkgroupSize) in;
layout(push_constant) uniform Push { NerfRenderPush push; };

layout(std430, binding = kNerfRenderBindingLevels) readonly buffer Levels { uvec4 levels[]; };
layout(std430, binding = kNerfRenderBindingParams) readonly buffer Params { float params[]; };
layout(std430, binding = kNerfRenderBindingGrid) readonly buffer Grid { float grid[]; };
layout(std430, binding = kNerfRenderBindingImage) writeonly buffer ImageOut { vec4 image[]; };
#ifdef NERF_RENDER_CONTRIBUTION
layout(std430, binding = kNerfRenderBindingContribution) buffer Contribution { float contribution[]; };
#endif

float nerf_grid_value(uint index) { return grid[index]; }
#include "nerf_march.glsl"
#include "field_hash.glsl"

const float kMinTransmittance = 1e-4;

// The field's 4 raw outputs at p seen along d (twin of field::evaluate).
#ifdef NERF_RENDER_FOR_LLVMPIPE
// llvmpipe (the CPU driver) ends a shader loop after 65,535 iterations in all (its
// loop limiter), which a pixel's MLP loops pass after a few samples: this variant keeps
// each loop's trips per sample small (rows in shared memory, dot products written out).
// Each invocation's MLP rows (a layer's input and output) in shared memory.
shared float rows_of[2 * kNerfRenderMaxWidth * kNerfRenderWorkgroupSize];
#define X(i) rows_of[gl_LocalInvocationID.x * (2 * kNerfRenderMaxWidth) + (i)]
#define Y(i) rows_of[gl_LocalInvocationID.x * (2 * kNerfRenderMaxWidth) + kNerfRenderMaxWidth + (i)]

// sum over i < n of params[w + i] * X(i), in ascending order, written out without a
// loop: llvmpipe stops a loop after 65,535 iterations in all (its loop limiter), which
// a pixel's MLP loops would pass after a few samples.
float row_dot(uint w, uint n) {
  precise float sum = 0.0;
  if (0u < n) sum += params[w + 0u] * X(0u);
  if (1u < n) sum += params[w + 1u] * X(1u);
  if (2u < n) sum += params[w + 2u] * X(2u);
  if (3u < n) sum += params[w + 3u] * X(3u);
  if (4u < n) sum += params[w + 4u] * X(4u);
  if (5u < n) sum += params[w + 5u] * X(5u);
  if (6u < n) sum += params[w + 6u] * X(6u);
  if (7u < n) sum += params[w + 7u] * X(7u);
  if (8u < n) sum += params[w + 8u] * X(8u);
  if (9u < n) sum += params[w + 9u] * X(9u);
  if (10u < n) sum += params[w + 10u] * X(10u);
  if (11u < n) sum += params[w + 11u] * X(11u);
  if (12u < n) sum += params[w + 12u] * X(12u);
  if (13u < n) sum += params[w + 13u] * X(13u);
  if (14u < n) sum += params[w + 14u] * X(14u);
  if (15u < n) sum += params[w + 15u] * X(15u);
  if (16u < n) sum += params[w + 16u] * X(16u);
  if (17u < n) sum += params[w + 17u] * X(17u);
  if (18u < n) sum += params[w + 18u] * X(18u);
  if (19u < n) sum += params[w + 19u] * X(19u);
  if (20u < n) sum += params[w + 20u] * X(20u);
  if (21u < n) sum += params[w + 21u] * X(21u);
  if (22u < n) sum += params[w + 22u] * X(22u);
  if (23u < n) sum += params[w + 23u] * X(23u);
  if (24u < n) sum += params[w + 24u] * X(24u);
  if (25u < n) sum += params[w + 25u] * X(25u);
  if (26u < n) sum += params[w + 26u] * X(26u);
  if (27u < n) sum += params[w + 27u] * X(27u);
  if (28u < n) sum += params[w + 28u] * X(28u);
  if (29u < n) sum += params[w + 29u] * X(29u);
  if (30u < n) sum += params[w + 30u] * X(30u);
  if (31u < n) sum += params[w + 31u] * X(31u);
  if (32u < n) sum += params[w + 32u] * X(32u);
  if (33u < n) sum += params[w + 33u] * X(33u);
  if (34u < n) sum += params[w + 34u] * X(34u);
  if (35u < n) sum += params[w + 35u] * X(35u);
  if (36u < n) sum += params[w + 36u] * X(36u);
  if (37u < n) sum += params[w + 37u] * X(37u);
  if (38u < n) sum += params[w + 38u] * X(38u);
  if (39u < n) sum += params[w + 39u] * X(39u);
  if (40u < n) sum += params[w + 40u] * X(40u);
  if (41u < n) sum += params[w + 41u] * X(41u);
  if (42u < n) sum += params[w + 42u] * X(42u);
  if (43u < n) sum += params[w + 43u] * X(43u);
  if (44u < n) sum += params[w + 44u] * X(44u);
  if (45u < n) sum += params[w + 45u] * X(45u);
  if (46u < n) sum += params[w + 46u] * X(46u);
  if (47u < n) sum += params[w + 47u] * X(47u);
  if (48u < n) sum += params[w + 48u] * X(48u);
  if (49u < n) sum += params[w + 49u] * X(49u);
  if (50u < n) sum += params[w + 50u] * X(50u);
  if (51u < n) sum += params[w + 51u] * X(51u);
  if (52u < n) sum += params[w + 52u] * X(52u);
  if (53u < n) sum += params[w + 53u] * X(53u);
  if (54u < n) sum += params[w + 54u] * X(54u);
  if (55u < n) sum += params[w + 55u] * X(55u);
  if (56u < n) sum += params[w + 56u] * X(56u);
  if (57u < n) sum += params[w + 57u] * X(57u);
  if (58u < n) sum += params[w + 58u] * X(58u);
  if (59u < n) sum += params[w + 59u] * X(59u);
  if (60u < n) sum += params[w + 60u] * X(60u);
  if (61u < n) sum += params[w + 61u] * X(61u);
  if (62u < n) sum += params[w + 62u] * X(62u);
  if (63u < n) sum += params[w + 63u] * X(63u);
  return sum;
}

vec4 field_at(vec3 p, vec3 d, uint weights) {
  uint in_dims = 0;
  for (uint l = 0; l < push.levels; ++l) {
    uint entry[8];
    float weight[8];
    cell_corners(levels[l], p, entry, weight);
    for (uint f = 0; f < push.features; ++f) {
      precise float sum = 0.0;
      sum += weight[0] * params[entry[0] * push.features + f];
      sum += weight[1] * params[entry[1] * push.features + f];
      sum += weight[2] * params[entry[2] * push.features + f];
      sum += weight[3] * params[entry[3] * push.features + f];
      sum += weight[4] * params[entry[4] * push.features + f];
      sum += weight[5] * params[entry[5] * push.features + f];
      sum += weight[6] * params[entry[6] * push.features + f];
      sum += weight[7] * params[entry[7] * push.features + f];
      X(l * push.features + f) = sum;
    }
  }
  in_dims = push.levels * push.features;
  if (push.direction_degree >= 0) {
    float basis[16];
    sh_basis(d, uint(push.direction_degree), basis);
    const uint dims = uint((push.direction_degree + 1) * (push.direction_degree + 1));
    for (uint k = 0; k < dims; ++k) X(in_dims + k) = basis[k];
    in_dims += dims;
  }
  uint w = weights;
  for (uint layer = 0; layer < push.hidden_layers; ++layer) {
    for (uint j = 0; j < push.hidden_width; ++j) {
      Y(j) = max(row_dot(w + j * in_dims, in_dims), 0.0);
    }
    w += push.hidden_width * in_dims;
    in_dims = push.hidden_width;
    for (uint j = 0; j < in_dims; ++j) X(j) = Y(j);
  }
  return vec4(row_dot(w, in_dims), row_dot(w + in_dims, in_dims), row_dot(w + 2 * in_dims, in_dims),
              row_dot(w + 3 * in_dims, in_dims));
}

#else
// The variant the H200 numbers in docs/BENCHMARKS.md were measured with: rows in
// private arrays, plain loops.
vec4 field_at(vec3 p, vec3 d, uint weights) {
  float x[kNerfRenderMaxWidth];
  float y[kNerfRenderMaxWidth];
  uint in_dims = 0;
  for (uint l = 0; l < push.levels; ++l) {
    uint entry[8];
    float weight[8];
    cell_corners(levels[l], p, entry, weight);
    for (uint f = 0; f < push.features; ++f) {
      precise float sum = 0.0;
      for (uint c = 0; c < 8; ++c) sum += weight[c] * params[entry[c] * push.features + f];
      x[in_dims++] = sum;
    }
  }
  if (push.direction_degree >= 0) {
    float basis[16];
    sh_basis(d, uint(push.direction_degree), basis);
    const uint dims = uint((push.direction_degree + 1) * (push.direction_degree + 1));
    for (uint k = 0; k < dims; ++k) x[in_dims++] = basis[k];
  }
  uint w = weights;
  for (uint layer = 0; layer < push.hidden_layers; ++layer) {
    for (uint j = 0; j < push.hidden_width; ++j) {
      precise float sum = 0.0;
      for (uint i = 0; i < in_dims; ++i) sum += params[w + j * in_dims + i] * x[i];
      y[j] = max(sum, 0.0);
    }
    w += push.hidden_width * in_dims;
    in_dims = push.hidden_width;
    for (uint j = 0; j < in_dims; ++j) x[j] = y[j];
  }
  float out_raw[kNerfOutputs];
  for (uint j = 0; j < kNerfOutputs; ++j) {
    precise float sum = 0.0;
    for (uint i = 0; i < in_dims; ++i) sum += params[w + j * in_dims + i] * x[i];
    out_raw[j] = sum;
  }
  return vec4(out_raw[0], out_raw[1], out_raw[2], out_raw[3]);
}
#endif

#ifdef NERF_RENDER_CONTRIBUTION
// Adds a sample's compositing weight, split by trilinear weight, to the 8 corner entries
// of its cell at every level (twin of field::nerf_contribution_reference).
void add_contribution(vec3 p, float w) {
  for (uint l = 0; l < push.levels; ++l) {
    uint entry[8];
    float weight[8];
    cell_corners(levels[l], p, entry, weight);
    for (uint c = 0; c < 8; ++c) atomicAdd(contribution[entry[c]], w * weight[c]);
  }
}
#endif

void main() {
  const uint pixel = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * kNerfRenderWorkgroupSize;
  if (pixel >= push.width * push.height) return;
  const vec3 c = vec3((float(pixel % push.width) + 0.5 - push.cx) / push.fx,
                      (float(pixel / push.width) + 0.5 - push.cy) / push.fy, 1.0);
  const vec3 r0 = vec3(push.rows[0], push.rows[1], push.rows[2]);
  const vec3 r1 = vec3(push.rows[4], push.rows[5], push.rows[6]);
  const vec3 r2 = vec3(push.rows[8], push.rows[9], push.rows[10]);
  const vec3 d = normalize(vec3(dot(r0, c), dot(r1, c), dot(r2, c)));
  const vec3 o = vec3(push.rows[3], push.rows[7], push.rows[11]);
  NerfMarchRules rules;
  rules.grid_resolution = push.grid_resolution;
  rules.threshold = push.density_threshold;
  rules.min_step = push.min_step;
  rules.max_step = push.max_step;
  rules.cone = push.cone;
  const uvec4 last = levels[push.levels - 1];
  const uint weights = (last.y + last.z) * push.features;  // the hash table comes first
  float transmittance = 1.0;
  vec3 colour = vec3(0.0);
  float t_near, t_far;
  if (nerf_ray_box(o, d, t_near, t_far)) {
    float t = t_near;
    vec3 p;
    float step, skip;
    uint n = 0;
    // One loop over probes (a sample or a skip): llvmpipe miscompiled this loop around
    // nerf_next_sample's own.
    while (n < push.max_samples && t < t_far) {
      if (!nerf_probe(rules, o, d, t, p, step, skip)) {
        t += skip;
        continue;
      }
      const vec4 raw = field_at(p, d, weights);
      const float alpha = 1.0 - exp(-nerf_density(raw.x) * step);
      const float w = transmittance * alpha;
#ifdef NERF_RENDER_CONTRIBUTION
      if (w > 0.0) add_contribution(p, w);
#endif
      colour += w * vec3(nerf_colour(raw.y), nerf_colour(raw.z), nerf_colour(raw.w));
      transmittance *= 1.0 - alpha;
      if (transmittance < kMinTransmittance) break;
      t += step;
      ++n;
    }
  }
  colour += transmittance * vec3(push.background_r, push.background_g, push.background_b);
  image[pixel] = vec4(colour, 1.0);
}
