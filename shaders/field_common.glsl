// Shared by the field_*.comp kernels: the push constants, one invocation per item with
// the workgroups tiled in 2D, and the hash grid's cell corners (twin of
// engine/field/hash_encoding.cpp: change both together).
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kFieldWorkgroupSize) in;
layout(push_constant) uniform Push { FieldPush push; };

uint field_item() {
  return (gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x) * kFieldWorkgroupSize + gl_LocalInvocationID.x;
}

// Level = (resolution, offset, size, dense). Corner c sits at offset
// (c & 1, c >> 1 & 1, c >> 2 & 1) of the cell holding p; products and sums in the
// reference's order.
void cell_corners(uvec4 level, vec3 position, out uint entry[8], out float weight[8]) {
  const float r = float(level.x);
  uvec3 base;
  vec3 frac_part;
  for (int a = 0; a < 3; ++a) {
    const float p = clamp(position[a], 0.0, 1.0);
    const precise float x = p * r;
    const float cell = min(floor(x), r - 1.0);
    base[a] = uint(cell);
    frac_part[a] = x - cell;
  }
  const uint side = level.x + 1;
  for (uint c = 0; c < 8; ++c) {
    const uvec3 d = uvec3(c & 1u, (c >> 1) & 1u, (c >> 2) & 1u);
    precise float w = 1.0;
    for (int a = 0; a < 3; ++a) w *= d[a] != 0 ? frac_part[a] : 1.0 - frac_part[a];
    weight[c] = w;
    const uvec3 v = base + d;
    const uint index = level.w != 0 ? v.x + side * (v.y + side * v.z)
                                    : ((v.x * kFieldHashPrime0) ^ (v.y * kFieldHashPrime1) ^ (v.z * kFieldHashPrime2)) &
                                          (level.z - 1u);
    entry[c] = level.y + index;
  }
}
