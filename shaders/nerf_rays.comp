#version 460
// After a step (one invocation): the next step's ray count, scaled so the samples the
// rays ask for fill 95% of the batch, and the counters cleared for it.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"
float nerf_grid_value(uint index) { return 0.0; }
#include "nerf_march.glsl"
#include "nerf_common.glsl"

layout(std430, binding = kNerfBindingControl) buffer Control { uint control[]; };

void main() {
  if (nerf_item() != 0) return;
  const uint requested = control[kNerfControlRequested];
  const float rays = float(control[kNerfControlRays]);
  const float wanted = requested > 0 ? rays * 0.95 * float(push.capacity) / float(requested) : rays * 2.0;
  control[kNerfControlRays] = uint(clamp(wanted, 1.0, float(push.max_rays)));
  control[kNerfControlSamples] = 0;
  control[kNerfControlRequested] = 0;
}
