#version 460
// Each point covers a square of point_size x point_size pixel centres around its
// projection, at the point's camera depth. Same two passes as mesh_raster.comp: nearest
// depth first, then the lowest point id at exactly that depth.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kGeometryWorkgroupSize) in;

layout(std430, binding = kPointRasterBindingParams) readonly buffer Params { GeometryParams params; };
layout(std430, binding = kPointRasterBindingPositions) readonly buffer Positions { float positions[]; };
layout(std430, binding = kPointRasterBindingDepth) buffer Depth { uint depth_bits[]; };
layout(std430, binding = kPointRasterBindingIds) buffer Ids { uint ids[]; };

layout(push_constant) uniform Push { GeometryPush push; };

#include "geometry.glsl"

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * params.primitive_groups_x * kGeometryWorkgroupSize;
  if (i >= params.primitive_count) return;
  const vec4 q = project_point(vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]));
  if (!(q.z > params.znear)) return;
  // Centres i + 0.5 in [u - s/2, u + s/2): exactly s columns and s rows.
  const float s = float(params.point_size);
  const vec2 first = ceil(q.xy - (0.5 * s + 0.5));
  const vec2 size = vec2(params.width, params.height);
  const ivec2 lo = ivec2(clamp(first, vec2(0.0), size));
  const ivec2 hi = ivec2(clamp(first + (s - 1.0), vec2(-1.0), size - 1.0));
  const uint bits = floatBitsToUint(q.z);
  for (int y = lo.y; y <= hi.y; ++y) {
    for (int x = lo.x; x <= hi.x; ++x) {
      const uint pixel = uint(y) * params.width + uint(x);
      if (push.pass == kRasterPassDepth) {
        atomicMin(depth_bits[pixel], bits);
      } else if (depth_bits[pixel] == bits) {
        atomicMin(ids[pixel], i);
      }
    }
  }
}
