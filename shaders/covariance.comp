#version 460
// World-space 3D covariance R S S^T R^T and activated opacity for each Gaussian, the
// first step of projecting Gaussians. The C++ twin is engine/render/covariance.cpp.
#extension GL_GOOGLE_include_directive : require
#include "shaderio.h"

layout(local_size_x = kCovarianceWorkgroupSize) in;

layout(std430, binding = kCovarianceBindingLogScales) readonly buffer LogScales { float log_scales[]; };
layout(std430, binding = kCovarianceBindingRotations) readonly buffer Rotations { float rotations[]; };
layout(std430, binding = kCovarianceBindingLogits) readonly buffer Logits { float logits[]; };
layout(std430, binding = kCovarianceBindingCovariance) writeonly buffer Covariances { float covariances[]; };
layout(std430, binding = kCovarianceBindingOpacity) writeonly buffer Opacities { float opacities[]; };

layout(push_constant) uniform Push { CovariancePush push; };

void main() {
  const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * push.groups_x * kCovarianceWorkgroupSize;
  if (i >= push.count) return;

  vec4 q = vec4(rotations[4 * i], rotations[4 * i + 1], rotations[4 * i + 2], rotations[4 * i + 3]);
  const float len = length(q);
  q = len > 0.0 ? q / len : vec4(1, 0, 0, 0);
  const float w = q.x, x = q.y, y = q.z, z = q.w;
  // Rotation matrix of a unit quaternion, written row by row as in the 3DGS reference.
  const mat3 R = transpose(mat3(
      1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y - w * z), 2.0 * (x * z + w * y),
      2.0 * (x * y + w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z - w * x),
      2.0 * (x * z - w * y), 2.0 * (y * z + w * x), 1.0 - 2.0 * (x * x + y * y)));
  const vec3 s = push.scale_modifier * exp(vec3(log_scales[3 * i], log_scales[3 * i + 1], log_scales[3 * i + 2]));
  const mat3 M = R * mat3(s.x, 0, 0, 0, s.y, 0, 0, 0, s.z);
  const mat3 sigma = M * transpose(M);

  covariances[6 * i + 0] = sigma[0][0];
  covariances[6 * i + 1] = sigma[1][0];
  covariances[6 * i + 2] = sigma[2][0];
  covariances[6 * i + 3] = sigma[1][1];
  covariances[6 * i + 4] = sigma[2][1];
  covariances[6 * i + 5] = sigma[2][2];
  opacities[i] = 1.0 / (1.0 + exp(-logits[i]));
}
