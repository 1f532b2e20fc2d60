#version 460
// Culls, projects and shades every Gaussian (the 3DGS reference's preprocess: 0.3-pixel
// low-pass, Jacobian clamped to 1.3x the frustum), then appends the visible ones to a
// list of (depth, index) for the depth sort, with the count of tiles each one touches.
#extension GL_EXT_control_flow_attributes : require
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require
#include "shaderio.h"
#include "splat_math.glsl"
#include "splat_tile_test.glsl"

layout(local_size_x = kSplatWorkgroupSize) in;

layout(std430, binding = kPreprocessBindingParams) readonly buffer Params { FrameParams params; };
layout(std430, binding = kPreprocessBindingPositions) readonly buffer Positions { float positions[]; };
layout(std430, binding = kPreprocessBindingLogScales) readonly buffer LogScales { float log_scales[]; };
layout(std430, binding = kPreprocessBindingRotations) readonly buffer Rotations { vec4 rotations[]; };
layout(std430, binding = kPreprocessBindingLogits) readonly buffer Logits { float logits[]; };
layout(std430, binding = kPreprocessBindingSh) readonly buffer Sh { uint sh_halves[]; };
layout(std430, binding = kPreprocessBindingSplats) writeonly buffer Splats { uvec4 splat_words[]; };  // splat_record.glsl
layout(std430, binding = kPreprocessBindingCounters) buffer Counters { uint counters[]; };
layout(std430, binding = kPreprocessBindingDepthKeys) writeonly buffer DepthKeys { uint depth_keys[]; };
layout(std430, binding = kPreprocessBindingDepthValues) writeonly buffer DepthValues { uint depth_values[]; };
layout(std430, binding = kPreprocessBindingTileCounts) writeonly buffer TileCounts { uint tile_counts[]; };

#define SPLAT_RECORD_WRITE
#include "splat_record.glsl"

// Projects Gaussian i into o up to its tile rectangle (its position in `p`); false when
// culled. The colour comes later (shade), so culled Gaussians skip the SH work.
bool project(uint i, out Splat2D o, out vec3 p) {
  const mat4 view = mat4(params.view[0], params.view[1], params.view[2], params.view[3],
                         params.view[4], params.view[5], params.view[6], params.view[7],
                         params.view[8], params.view[9], params.view[10], params.view[11],
                         params.view[12], params.view[13], params.view[14], params.view[15]);
  p = vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
  const vec3 t = (view * vec4(p, 1.0)).xyz;
  if (t.z <= params.znear) return false;

  vec4 q = rotations[i];
  const float qlen = length(q);
  q = qlen > 0.0 ? q / qlen : vec4(1, 0, 0, 0);
  const vec3 s = params.scale_modifier * exp(vec3(log_scales[3 * i], log_scales[3 * i + 1], log_scales[3 * i + 2]));
  const mat3 M = quaternion_matrix(q) * mat3(s.x, 0, 0, 0, s.y, 0, 0, 0, s.z);
  const mat3 sigma = M * transpose(M);

  const float limx = 1.3 * params.tan_fovx, limy = 1.3 * params.tan_fovy;
  const float tx = clamp(t.x / t.z, -limx, limx) * t.z;
  const float ty = clamp(t.y / t.z, -limy, limy) * t.z;
  const mat3 J = transpose(mat3(params.fx / t.z, 0.0, -params.fx * tx / (t.z * t.z),
                                0.0, params.fy / t.z, -params.fy * ty / (t.z * t.z),
                                0.0, 0.0, 0.0));
  const mat3 T = J * mat3(view);
  const mat3 cov = T * sigma * transpose(T);
  const float a = cov[0][0] + 0.3, b = cov[1][0], c = cov[1][1] + 0.3;
  const float det = a * c - b * b;
  if (det == 0.0) return false;
  const float inv_det = 1.0 / det;

  const float mid = 0.5 * (a + c);
  const float lambda1 = mid + sqrt(max(0.1, mid * mid - det));
  const float lambda2 = mid - sqrt(max(0.1, mid * mid - det));
  // The reference's 3-sigma radius, shrunk where opacity alone keeps alpha under 1/255
  // (alpha <= opacity * exp(-d^2 / (2 lambda_max))): the same pixels blend, fewer tiles.
  const float opacity = 1.0 / (1.0 + exp(-logits[i]));
  if (opacity < 1.0 / 255.0) return false;
  const float lambda_max = max(lambda1, lambda2);
  const float radius = min(ceil(3.0 * sqrt(lambda_max)), ceil(sqrt(2.0 * log(255.0 * opacity) * lambda_max)));
  const vec2 mean = vec2(params.fx * t.x / t.z + params.cx, params.fy * t.y / t.z + params.cy);

  // Tiles touched, in the reference's pixel coordinates (centres at integers).
  const vec2 pimg = mean - 0.5;
  const ivec2 grid = ivec2(params.tiles_x, params.tiles_y);
  const ivec2 rmin = clamp(ivec2((pimg - radius) / float(kTileSize)), ivec2(0), grid);
  const ivec2 rmax = clamp(ivec2((pimg + radius + float(kTileSize - 1)) / float(kTileSize)), ivec2(0), grid);
  if (rmax.x <= rmin.x || rmax.y <= rmin.y) return false;

  o.mean_x = mean.x;
  o.mean_y = mean.y;
  o.depth = t.z;
  o.opacity = opacity;
  o.conic_a = c * inv_det;
  o.conic_b = -b * inv_det;
  o.conic_c = a * inv_det;
  o.rect_min = uint(rmin.x) | (uint(rmin.y) << 16);
  o.rect_max = pack_rect_end(uvec2(rmax), 0u);
  return true;
}

// The SH buffer's binary16 value at index h.
float sh_value(uint h) { return unpackHalf2x16(sh_halves[h >> 1])[h & 1u]; }

// The colour of Gaussian i at position p, seen from the camera.
void shade(uint i, vec3 p, inout Splat2D o) {
  const vec3 dir = normalize(p - vec3(params.camera_pos[0], params.camera_pos[1], params.camera_pos[2]));
  float basis[16];
  sh_basis(dir, params.sh_degree, basis);
  const uint used = (params.sh_degree + 1) * (params.sh_degree + 1);
  vec3 rgb = vec3(0.0);
  // Unrolled over every basis function, the unused ones skipped by a branch the same in
  // every invocation: a loop to `used` indexed the basis by a variable, which kept it in
  // memory instead of registers.
  [[unroll]] for (uint k = 0; k < 16; ++k) {
    if (k >= used) break;
    rgb += basis[k] * vec3(sh_value(sh_half_index(i, 0, k, params.count)), sh_value(sh_half_index(i, 1, k, params.count)),
                           sh_value(sh_half_index(i, 2, k, params.count)));
  }
  rgb = max(rgb + 0.5, vec3(0.0));

  o.r = rgb.r;
  o.g = rgb.g;
  o.b = rgb.b;
}

// Tiles of splat s's rectangle where some pixel can take alpha >= 1/255, counted by the
// whole subgroup (every invocation passes the same s), a tile per invocation.
uint subgroup_tiles_of(Splat2D s) {
  const uvec2 lo = rect_start(s.rect_min);
  const uvec2 size = rect_end(s.rect_max) - lo;
  uint count = 0;
  for (uint first = 0; first < size.x * size.y; first += gl_SubgroupSize) {
    const uint t = first + gl_SubgroupInvocationID;
    const bool touched = t < size.x * size.y &&
                         tile_touched(s, lo.x + t % size.x, lo.y + t / size.x, params.width, params.height);
    count += subgroupBallotBitCount(subgroupBallot(touched));
  }
  return count;
}

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * params.groups_x * kSplatWorkgroupSize;
  Splat2D o;
  vec3 p;
  const bool projected = i < params.count && project(i, o, p);
  const uvec2 size = projected ? rect_end(o.rect_max) - rect_start(o.rect_min) : uvec2(0u);
  // Tiles of the rectangle where some pixel can take alpha >= 1/255; none culls it.
  // Large rectangles are counted by the subgroup together (kSplatOwnTiles).
  const bool shared_walk = size.x * size.y > kSplatOwnTiles;
  // A small splat's touched tiles go into its record, so the emit need not test them again.
  const uint touched = projected && !shared_walk ? touched_tiles(o, params.width, params.height) : 0u;
  o.rect_max |= touched << 24;
  uint tiles = bitCount(touched);
  uvec4 walks = subgroupBallot(shared_walk);
  while (subgroupBallotBitCount(walks) > 0u) {
    const uint owner = subgroupBallotFindLSB(walks);
    // Cleared without indexing the vector by a variable, which would put it in memory.
    walks &= ~(uvec4(equal(uvec4(0u, 1u, 2u, 3u), uvec4(owner / 32u))) << (owner % 32u));
    Splat2D ws;
    ws.mean_x = subgroupShuffle(o.mean_x, owner);
    ws.mean_y = subgroupShuffle(o.mean_y, owner);
    ws.opacity = subgroupShuffle(o.opacity, owner);
    ws.conic_a = subgroupShuffle(o.conic_a, owner);
    ws.conic_b = subgroupShuffle(o.conic_b, owner);
    ws.conic_c = subgroupShuffle(o.conic_c, owner);
    ws.rect_min = subgroupShuffle(o.rect_min, owner);
    ws.rect_max = subgroupShuffle(o.rect_max, owner);
    const uint count = subgroup_tiles_of(ws);
    if (gl_SubgroupInvocationID == owner) tiles = count;
  }
  if (tiles > 0) shade(i, p, o);
  const uint visible = tiles > 0 ? 1 : 0;

  // One atomic per subgroup instead of one per Gaussian: a single counter hit by every
  // thread would serialise the whole pass.
  const uint prefix = subgroupExclusiveAdd(visible);
  const uint subgroup_visible = subgroupAdd(visible);
  uint base = 0;
  if (subgroupElect() && subgroup_visible > 0) base = atomicAdd(counters[kCounterVisible], subgroup_visible);
  base = subgroupBroadcastFirst(base);
  if (visible == 0) return;
  store_splat_record(i, o);
  // Read only where the depth value cannot carry the count (splat_emit_count.comp).
  if (!depth_values_packed(params.count) || tiles >= kDepthValueCountLimit) tile_counts[i] = tiles;
  // Positive floats order as their bits; past znear only the low bits vary.
  const uint key = (floatBitsToUint(o.depth) - floatBitsToUint(params.znear)) >> params.depth_key_shift;
  depth_keys[base + prefix] = params.exact_depth != 0u ? floatBitsToUint(o.depth) : min(key, (1u << kDepthKeyBits) - 1u);
  depth_values[base + prefix] =
      depth_values_packed(params.count) ? i | (min(tiles, kDepthValueCountLimit) << kDepthValueIndexBits) : i;
}
