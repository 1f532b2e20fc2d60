// Shared by the nerf_*.comp training kernels: push constants, bindings, the item index.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kNerfWorkgroupSize) in;
layout(push_constant) uniform Push { NerfPush push; };

uint nerf_item() {
  return (gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x) * kNerfWorkgroupSize + gl_LocalInvocationID.x;
}

NerfMarchRules nerf_rules() {
  NerfMarchRules r;
  r.grid_resolution = push.grid_resolution;
  r.threshold = push.density_threshold;
  r.min_step = push.min_step;
  r.max_step = push.max_step;
  r.cone = push.cone;
  return r;
}
