// GPU twin of blend_weights_reference (engine/render/splat_importance.h): every
// Gaussian's blending weight alpha * T summed over the pixels of a set of views, by the
// splat renderer with shaders/splat_importance.comp as its last pass. The sums stay on
// the GPU across views and are read back once at the end.
#pragma once

#include <vector>

#include "engine/gpu/context.h"
#include "engine/render/camera.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::gpu {

// Per-pixel weights are rounded to multiples of 1 / shaderio::kImportanceFixedScale
// (2^-22) before they are summed, so each Gaussian's sum may differ from the reference
// by that much per pixel it blends into, besides float rounding in the projection.
// Errors: more pixels than the 64-bit sums can hold (invalid_input), Vulkan failures.
Result<std::vector<float>> blend_weights_gpu(Context& context, const GaussianCloud& cloud,
                                             const std::vector<Camera>& cameras);

}  // namespace scenezip::gpu
