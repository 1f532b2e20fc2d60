// CPU reference of shaders/covariance.comp: world-space 3D covariance and opacity.
#pragma once

#include <vector>

#include "engine/scene/gaussian_cloud.h"

namespace scenezip {

struct CovarianceOutput {
  std::vector<float> covariances;  // 6 per Gaussian: xx xy xz yy yz zz
  std::vector<float> opacities;    // 1 per Gaussian, activated
};

// World-space covariance of Gaussian i: sigma = R S S^T R^T with R from its quaternion
// (normalised; a zero one is identity) and S = diag(scale_modifier * exp(log_scale)).
void covariance_3d(const GaussianCloud& cloud, std::size_t i, float scale_modifier, float sigma[3][3]);

// covariance_3d and the activated opacity of every Gaussian.
CovarianceOutput compute_covariances(const GaussianCloud& cloud, float scale_modifier = 1.0f);

}  // namespace scenezip
