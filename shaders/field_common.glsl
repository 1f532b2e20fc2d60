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

#include "field_hash.glsl"
