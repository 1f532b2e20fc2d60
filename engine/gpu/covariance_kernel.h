// GPU twin of engine/render/covariance.h, running shaders/covariance.comp.
#pragma once

#include "engine/gpu/context.h"
#include "engine/render/covariance.h"

namespace scenezip::gpu {

Result<CovarianceOutput> compute_covariances(Context& context, const GaussianCloud& cloud,
                                             float scale_modifier = 1.0f);

}  // namespace scenezip::gpu
