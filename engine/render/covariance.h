// CPU reference of shaders/covariance.comp: world-space 3D covariance and opacity.
#pragma once

#include <vector>

#include "engine/scene/gaussian_cloud.h"

namespace scenezip {

struct CovarianceOutput {
  std::vector<float> covariances;  // 6 per Gaussian: xx xy xz yy yz zz
  std::vector<float> opacities;    // 1 per Gaussian, activated
};

// sigma = R S S^T R^T with S = diag(scale_modifier * exp(log_scale)).
CovarianceOutput compute_covariances(const GaussianCloud& cloud, float scale_modifier = 1.0f);

}  // namespace scenezip
