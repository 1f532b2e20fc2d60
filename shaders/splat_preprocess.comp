#version 460
// Culls, projects and shades every Gaussian, then emits one (tile, depth, index) sort
// instance per 16x16 tile its 3-sigma footprint touches. Mirrors the preprocess of the
// 3DGS reference rasterizer (0.3-pixel low-pass, 1.3x frustum clamp of the Jacobian).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
#include "splat_math.glsl"

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Params { FrameParams params; };
layout(std430, binding = 1) readonly buffer Positions { float positions[]; };
layout(std430, binding = 2) readonly buffer LogScales { float log_scales[]; };
layout(std430, binding = 3) readonly buffer Rotations { vec4 rotations[]; };
layout(std430, binding = 4) readonly buffer Logits { float logits[]; };
layout(std430, binding = 5) readonly buffer Sh { float sh[]; };
layout(std430, binding = 6) writeonly buffer Splats { Splat2D splats[]; };
layout(std430, binding = 7) buffer Counters { uint counters[]; };
layout(std430, binding = 8) writeonly buffer KeysTile { uint keys_tile[]; };
layout(std430, binding = 9) writeonly buffer KeysDepth { uint keys_depth[]; };
layout(std430, binding = 10) writeonly buffer Values { uint values[]; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * params.groups_x * kSplatWorkgroupSize;
  if (i >= params.count) return;

  const mat4 view = mat4(params.view[0], params.view[1], params.view[2], params.view[3],
                         params.view[4], params.view[5], params.view[6], params.view[7],
                         params.view[8], params.view[9], params.view[10], params.view[11],
                         params.view[12], params.view[13], params.view[14], params.view[15]);
  const vec3 p = vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
  const vec3 t = (view * vec4(p, 1.0)).xyz;
  if (t.z <= params.znear) return;

  // 3D covariance.
  vec4 q = rotations[i];
  const float qlen = length(q);
  q = qlen > 0.0 ? q / qlen : vec4(1, 0, 0, 0);
  const vec3 s = params.scale_modifier * exp(vec3(log_scales[3 * i], log_scales[3 * i + 1], log_scales[3 * i + 2]));
  const mat3 M = quaternion_matrix(q) * mat3(s.x, 0, 0, 0, s.y, 0, 0, 0, s.z);
  const mat3 sigma = M * transpose(M);

  // 2D covariance J W sigma W^T J^T, with the view direction clamped to 1.3x the frustum
  // so splats far outside it keep a sane footprint.
  const float limx = 1.3 * params.tan_fovx, limy = 1.3 * params.tan_fovy;
  const float tx = clamp(t.x / t.z, -limx, limx) * t.z;
  const float ty = clamp(t.y / t.z, -limy, limy) * t.z;
  const mat3 J = transpose(mat3(params.fx / t.z, 0.0, -params.fx * tx / (t.z * t.z),
                                0.0, params.fy / t.z, -params.fy * ty / (t.z * t.z),
                                0.0, 0.0, 0.0));
  const mat3 W = mat3(view);
  const mat3 T = J * W;
  const mat3 cov = T * sigma * transpose(T);
  const float a = cov[0][0] + 0.3, b = cov[1][0], c = cov[1][1] + 0.3;
  const float det = a * c - b * b;
  if (det == 0.0) return;
  const float inv_det = 1.0 / det;
  const vec3 conic = vec3(c * inv_det, -b * inv_det, a * inv_det);

  const float mid = 0.5 * (a + c);
  const float lambda1 = mid + sqrt(max(0.1, mid * mid - det));
  const float lambda2 = mid - sqrt(max(0.1, mid * mid - det));
  const float radius = ceil(3.0 * sqrt(max(lambda1, lambda2)));
  const vec2 mean = vec2(params.fx * t.x / t.z + params.cx, params.fy * t.y / t.z + params.cy);

  // Tiles touched, in the reference's pixel coordinates (centres at integers).
  const vec2 pimg = mean - 0.5;
  const ivec2 grid = ivec2(params.tiles_x, params.tiles_y);
  const ivec2 rmin = clamp(ivec2((pimg - radius) / float(kTileSize)), ivec2(0), grid);
  const ivec2 rmax = clamp(ivec2((pimg + radius + float(kTileSize - 1)) / float(kTileSize)), ivec2(0), grid);
  const uint tiles = uint((rmax.x - rmin.x) * (rmax.y - rmin.y));
  if (tiles == 0) return;

  // Colour for the direction from the camera, SH degree 0..3.
  const vec3 dir = normalize(p - vec3(params.camera_pos[0], params.camera_pos[1], params.camera_pos[2]));
  float basis[16];
  sh_basis(dir, params.sh_degree, basis);
  const uint coeffs = params.sh_coeffs;
  const uint used = (params.sh_degree + 1) * (params.sh_degree + 1);
  vec3 rgb = vec3(0.0);
  for (uint k = 0; k < used; ++k) {
    rgb += basis[k] * vec3(sh[(3 * i + 0) * coeffs + k], sh[(3 * i + 1) * coeffs + k], sh[(3 * i + 2) * coeffs + k]);
  }
  rgb = max(rgb + 0.5, vec3(0.0));

  Splat2D o;
  o.mean_x = mean.x;
  o.mean_y = mean.y;
  o.depth = t.z;
  o.opacity = 1.0 / (1.0 + exp(-logits[i]));
  o.conic_a = conic.x;
  o.conic_b = conic.y;
  o.conic_c = conic.z;
  o.radius = radius;
  o.r = rgb.r;
  o.g = rgb.g;
  o.b = rgb.b;
  o.pad = 0.0;
  splats[i] = o;

  atomicAdd(counters[kCounterVisible], 1u);
  uint offset = atomicAdd(counters[kCounterInstances], tiles);
  // Past capacity the instances are dropped; the host sees the count and grows the buffers.
  if (offset + tiles > params.instance_capacity) return;
  const uint depth_key = floatBitsToUint(t.z);
  for (int y = rmin.y; y < rmax.y; ++y) {
    for (int x = rmin.x; x < rmax.x; ++x) {
      keys_tile[offset] = uint(y) * params.tiles_x + uint(x);
      keys_depth[offset] = depth_key;
      values[offset] = i;
      ++offset;
    }
  }
}
