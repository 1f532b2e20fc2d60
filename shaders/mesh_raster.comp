#version 460
// One thread per triangle walks the pixel centres of its box. The depth pass keeps the
// nearest camera z per pixel; the visibility pass, recomputing the same depth, keeps
// the lowest triangle id among those that hit that depth exactly. Two 32-bit passes
// stand in for a 64-bit (depth, id) atomic, which not every device has.
// A triangle covering many pixels keeps its thread busy for all of them: fine for
// scanned and game meshes at ordinary sizes, slow for huge close-up triangles.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kGeometryWorkgroupSize) in;

layout(std430, binding = kMeshRasterBindingParams) readonly buffer Params { GeometryParams params; };
layout(std430, binding = kMeshRasterBindingIndices) readonly buffer Indices { uint indices[]; };
layout(std430, binding = kMeshRasterBindingProjected) readonly buffer Projected { vec4 projected[]; };
layout(std430, binding = kMeshRasterBindingDepth) buffer Depth { uint depth_bits[]; };
layout(std430, binding = kMeshRasterBindingIds) buffer Ids { uint ids[]; };

layout(push_constant) uniform Push { GeometryPush push; };

#include "geometry.glsl"
#include "mesh_triangle.glsl"

void main() {
  const uint t = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * params.primitive_groups_x * kGeometryWorkgroupSize;
  if (t >= params.primitive_count) return;
  Triangle tri;
  if (!setup_triangle(t, tri)) return;
  for (int y = tri.lo.y; y <= tri.hi.y; ++y) {
    for (int x = tri.lo.x; x <= tri.hi.x; ++x) {
      const vec2 p = vec2(x, y) + 0.5;
      const vec3 e = triangle_edges(tri, p);
      if (!triangle_covers(tri, e)) continue;
      const uint bits = floatBitsToUint(triangle_depth(tri, e));
      const uint pixel = uint(y) * params.width + uint(x);
      if (push.pass == kRasterPassDepth) {
        atomicMin(depth_bits[pixel], bits);
      } else if (depth_bits[pixel] == bits) {
        atomicMin(ids[pixel], t);
      }
    }
  }
}
