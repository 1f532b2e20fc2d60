#include "engine/render/covariance.h"

#include <cmath>

namespace scenezip {

void covariance_3d(const GaussianCloud& cloud, std::size_t i, float scale_modifier, float sigma[3][3]) {
  float q[4] = {cloud.rotations[4 * i], cloud.rotations[4 * i + 1], cloud.rotations[4 * i + 2],
                cloud.rotations[4 * i + 3]};
  const float len = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (len > 0) {
    for (float& v : q) v /= len;
  } else {
    q[0] = 1;
    q[1] = q[2] = q[3] = 0;
  }
  const float w = q[0], x = q[1], y = q[2], z = q[3];
  const float R[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
                         {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
                         {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}};
  float M[3][3];
  for (int c = 0; c < 3; ++c) {
    const float s = scale_modifier * std::exp(cloud.log_scales[3 * i + c]);
    for (int r = 0; r < 3; ++r) M[r][c] = R[r][c] * s;
  }
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) sigma[a][b] = M[a][0] * M[b][0] + M[a][1] * M[b][1] + M[a][2] * M[b][2];
}

CovarianceOutput compute_covariances(const GaussianCloud& cloud, float scale_modifier) {
  CovarianceOutput out;
  out.covariances.resize(6 * cloud.count);
  out.opacities.resize(cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    float sigma[3][3];
    covariance_3d(cloud, i, scale_modifier, sigma);
    float* cov = &out.covariances[6 * i];
    cov[0] = sigma[0][0];
    cov[1] = sigma[0][1];
    cov[2] = sigma[0][2];
    cov[3] = sigma[1][1];
    cov[4] = sigma[1][2];
    cov[5] = sigma[2][2];
    out.opacities[i] = activation::opacity(cloud.logit_opacities[i]);
  }
  return out;
}

}  // namespace scenezip
