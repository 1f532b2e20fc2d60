#version 460
// Projects every mesh vertex once to pixel coordinates and camera depth, so the
// per-triangle passes read three ready vertices instead of transforming each again.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kGeometryWorkgroupSize) in;

layout(std430, binding = kMeshVertexBindingParams) readonly buffer Params { GeometryParams params; };
layout(std430, binding = kMeshVertexBindingPositions) readonly buffer Positions { float positions[]; };
layout(std430, binding = kMeshVertexBindingProjected) writeonly buffer Projected { vec4 projected[]; };

#include "geometry.glsl"

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * params.vertex_groups_x * kGeometryWorkgroupSize;
  if (i >= params.vertex_count) return;
  projected[i] = project_point(vec3(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]));
}
