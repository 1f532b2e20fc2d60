// How much each Gaussian shows in rendered views: the weight alpha * T that the
// splatting renderer gives its colour, summed over every pixel it blends into, over a
// set of views (LightGaussian's global significance). The plain C++ twin of
// shaders/splat_importance.comp (engine/gpu/splat_importance.h); both follow
// render_gaussians_reference's culling, tiles, ordering and early stops exactly.
#pragma once

#include <vector>

#include "engine/render/camera.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip {

// `count` square views of `resolution` pixels a side around robust_bounds(positions),
// at orbit_camera's distance and field of view, their directions spread evenly (a
// golden-angle spiral, equal area) over elevations from 20 degrees below to 60 degrees
// above the ring plane (world -y up, as orbit_camera): captures look at a scene from
// around and above, so views from straight below would keep what no one sees.
// count < 1 gives no views; resolution is clamped to 1..16384.
std::vector<Camera> importance_cameras(const std::vector<float>& positions, int count, int resolution);

// Adds, for every Gaussian, its blending weights in `camera`'s image summed over the
// pixels to sums[i] (cloud.count values). Gaussians the view does not reach add 0.
void add_blend_weights_reference(const GaussianCloud& cloud, const Camera& camera, double* sums);

// The sums of add_blend_weights_reference over `cameras`, as floats.
std::vector<float> blend_weights_reference(const GaussianCloud& cloud, const std::vector<Camera>& cameras);

}  // namespace scenezip
