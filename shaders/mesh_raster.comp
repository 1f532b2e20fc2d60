#version 460
// Triangles into the depth and visibility buffers. The depth pass keeps the nearest
// camera z per pixel; the visibility pass, recomputing the same depth, keeps the lowest
// triangle id among those that hit that depth exactly. Two 32-bit passes stand in for a
// 64-bit (depth, id) atomic, which not every device has.
// Each pass runs twice: a thread per triangle walks the pixel centres of a small box (its
// rows cut to the columns the edges allow), and leaves a triangle with a larger box to a
// workgroup that splits the box among its threads. A thread looping over thousands of
// pixels alone would hold up the whole pass (each visibility step waits on a load).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kGeometryWorkgroupSize) in;

layout(std430, binding = kMeshRasterBindingParams) readonly buffer Params { GeometryParams params; };
layout(std430, binding = kMeshRasterBindingIndices) readonly buffer Indices { uint indices[]; };
layout(std430, binding = kMeshRasterBindingProjected) readonly buffer Projected { vec4 projected[]; };
layout(std430, binding = kMeshRasterBindingDepth) buffer Depth { uint depth_bits[]; };
layout(std430, binding = kMeshRasterBindingIds) buffer Ids { uint ids[]; };
layout(std430, binding = kMeshRasterBindingBig) buffer Big { uint big[]; };
layout(std430, binding = kMeshRasterBindingBigArgs) buffer BigArgs { uint big_args[]; };

layout(push_constant) uniform Push { GeometryPush push; };

#include "geometry.glsl"
#include "mesh_triangle.glsl"

void raster_pixel(uint t, Triangle tri, int x, int y) {
  const vec3 e = triangle_edges(tri, vec2(x, y) + 0.5);
  if (!triangle_covers(tri, e)) return;
  const uint bits = floatBitsToUint(triangle_depth(tri, e));
  const uint pixel = uint(y) * params.width + uint(x);
  if (push.pass == kRasterPassDepth) {
    atomicMin(depth_bits[pixel], bits);
  } else if (depth_bits[pixel] == bits) {
    atomicMin(ids[pixel], t);
  }
}

void main() {
  Triangle tri;
  if (push.big == 0) {
    const uint t = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * params.primitive_groups_x * kGeometryWorkgroupSize;
    if (t >= params.primitive_count || !setup_triangle(t, tri)) return;
    const ivec2 box = tri.hi - tri.lo + 1;
    if (box.x * box.y > int(kBigTriangleBox)) {
      // Listed once, in the depth pass; the visibility pass reuses the list.
      if (push.pass == kRasterPassDepth) {
        const uint slot = atomicAdd(big_args[0], 1u);
        big[slot] = t;
        if (slot < params.big_group_cap) atomicAdd(big_args[1], 1u);
      }
      return;
    }
    for (int y = tri.lo.y; y <= tri.hi.y; ++y) {
      const ivec2 span = row_span(tri, y);
      for (int x = span.x; x <= span.y; ++x) raster_pixel(t, tri, x, y);
    }
    return;
  }
  const uint count = big_args[0];
  for (uint b = gl_WorkGroupID.x; b < count; b += gl_NumWorkGroups.x) {
    const uint t = big[b];
    if (!setup_triangle(t, tri)) continue;  // cannot happen: it passed the same setup to be listed
    const ivec2 box = tri.hi - tri.lo + 1;
    const uint pixels = uint(box.x) * uint(box.y);
    for (uint k = gl_LocalInvocationIndex; k < pixels; k += kGeometryWorkgroupSize) {
      raster_pixel(t, tri, tri.lo.x + int(k % uint(box.x)), tri.lo.y + int(k / uint(box.x)));
    }
  }
}
