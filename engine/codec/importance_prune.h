// Pruning by importance from rendered views (LightGaussian, OMG): a Gaussian's
// importance is the blending weight alpha * T it gets, summed over every pixel of a set
// of orbit views (engine/render/splat_importance.h), optionally times a volume factor;
// the least important go first. Gaussians no view reaches score 0 and go before any
// that shows. The same values can weight k-means training (weighting "importance").
#pragma once

#include <functional>
#include <vector>

#include "engine/codec/gaussian_settings.h"
#include "engine/codec/prune.h"
#include "engine/render/camera.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

// Computes blend_weights_reference(cloud, cameras) elsewhere (the CLI hands in the GPU's
// version); may return an error, which the encoder reports.
using BlendWeightsFunction =
    std::function<Result<std::vector<float>>(const GaussianCloud& cloud, const std::vector<Camera>& cameras)>;

// `inner` (or, empty, the C++ reference on `threads` threads) remembering its last
// answer: called again with the same Gaussians' geometry and opacities and the same
// cameras, it returns that answer without rendering. compress --target-psnr encodes one
// scene at several levels whose importance views are all the same.
BlendWeightsFunction remembering_blend_weights(BlendWeightsFunction inner, int threads);

// Whether `s` prunes by importance, weights any codebook by it or drops SH bands per
// Gaussian (sh_gaussian_min_rms), which judges by it.
bool needs_importance(const GaussianCodecSettings& s);

// One importance per Gaussian of `cloud`, as `s` defines it. Source "views": blend
// weights over importance_cameras(positions, importance_views, importance_resolution),
// from `blend_weights`, or without it from the C++ reference on `s.threads` threads.
// The reference is exact but slow (about 4 s per core for a 512x512 view of lego's 124k
// Gaussians, growing with Gaussians and pixels): it is still used rather than refused,
// since a slow encode beats none, and the CLI hands in the GPU version when there is a GPU. Source
// "opacity": the opacity alone. Then times LightGaussian's volume factor when
// importance_volume is "volume".
Result<std::vector<float>> gaussian_importance(const GaussianCloud& cloud, const GaussianCodecSettings& s,
                                               const BlendWeightsFunction& blend_weights);

// LightGaussian's volume factor: importance[i] *= (V_i / V_10)^power, V the product of
// the three scales and V_10 its 10th percentile (the value 90% of the Gaussians exceed),
// so large Gaussians that cover much of the scene from few pixels are kept.
void apply_volume_factor(const GaussianCloud& cloud, float power, std::vector<float>* importance);

// Indices (ascending) of the Gaussians kept when the least important are removed, ties
// by index, until both targets hold: at least floor(prune_fraction * n) removed, and
// what is kept holds at least `keep` of the total importance (keep 1 and fraction 0
// keep all; with a total of 0, as when no view sees the scene, `keep` removes nothing).
std::vector<std::size_t> select_important(const std::vector<float>& importance, double keep, double prune_fraction);

// Removes the Gaussians select_important drops (settings' importance_keep and
// importance_prune_fraction), in order; `importance` shrinks to match. Fills
// report->unimportant, importance_kept and count_out.
GaussianCloud prune_by_importance(const GaussianCloud& cloud, std::vector<float>* importance,
                                  const GaussianCodecSettings& s, PruneReport* report);

}  // namespace scenezip::codec
