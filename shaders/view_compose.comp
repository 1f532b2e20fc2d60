#version 460
// The viewer's picture: split view, difference heat map or one frame, packed to 8 bits
// for the swapchain; each workgroup also sums the two frames' squared error.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kComposeWorkgroupSize) in;

layout(std430, binding = kComposeBindingFirst) readonly buffer First { vec4 first[]; };
layout(std430, binding = kComposeBindingSecond) readonly buffer Second { vec4 second[]; };
layout(std430, binding = kComposeBindingOutput) writeonly buffer Output { uint packed_pixels[]; };
layout(std430, binding = kComposeBindingErrorSums) writeonly buffer ErrorSums { float error_sums[]; };
layout(push_constant) uniform Push { ComposePush push; };

shared float partial[kComposeWorkgroupSize];

uint to_byte(float v) { return uint(floor(clamp(v, 0.0, 1.0) * 255.0 + 0.5)); }

void main() {
  const uint group = gl_WorkGroupID.x + gl_WorkGroupID.y * push.groups_x;
  const uint i = group * kComposeWorkgroupSize + gl_LocalInvocationID.x;
  const uint pixels = push.width * push.height;
  float error = 0.0;
  if (i < pixels) {
    const vec3 a = clamp(first[i].rgb, 0.0, 1.0);
    const vec3 b = clamp(second[i].rgb, 0.0, 1.0);
    const vec3 d = a - b;
    error = dot(d, d);
    vec3 shown;
    if (push.mode == kComposeModeDifference) {
      const float t = clamp((abs(d.r) + abs(d.g) + abs(d.b)) / (3.0 * push.heat_scale), 0.0, 1.0);
      shown = clamp(vec3(3.0 * t, 3.0 * t - 1.0, 3.0 * t - 2.0), 0.0, 1.0);
    } else if (push.mode == kComposeModeSecond) {
      shown = b;
    } else if (push.mode == kComposeModeSplit && i % push.width >= push.divider) {
      shown = b;
    } else {
      shown = a;
    }
    const uvec3 c = uvec3(to_byte(shown.r), to_byte(shown.g), to_byte(shown.b));
    packed_pixels[i] = push.bgra != 0 ? (c.b | (c.g << 8) | (c.r << 16) | (255u << 24))
                                      : (c.r | (c.g << 8) | (c.b << 16) | (255u << 24));
  }
  // Tree sum over the workgroup: the same pairing as compose_reference's.
  partial[gl_LocalInvocationID.x] = error;
  barrier();
  for (uint stride = kComposeWorkgroupSize / 2; stride > 0; stride /= 2) {
    if (gl_LocalInvocationID.x < stride) partial[gl_LocalInvocationID.x] += partial[gl_LocalInvocationID.x + stride];
    barrier();
  }
  if (gl_LocalInvocationID.x == 0) error_sums[group] = partial[0];
}
