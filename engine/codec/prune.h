// Pruning that needs no rendering: Gaussians that cannot contribute (non-finite values,
// degenerate rotations, invisible opacity, negligible size) and higher SH bands that
// carry almost nothing. Importance pruning from rendered views comes on top of this.
#pragma once

#include <array>
#include <cstddef>

#include "engine/scene/gaussian_cloud.h"

namespace scenezip::codec {

struct PruneSettings {
  float min_opacity = 1.0f / 255;
  float min_scale_fraction = 1e-6f;
  float sh_band_min_rms = 1.0f / 1024;
  int max_sh_degree = 3;
};

struct PruneReport {
  std::size_t count_in = 0;
  std::size_t non_finite = 0;    // a NaN or infinite value, or a zero quaternion
  std::size_t transparent = 0;   // opacity below min_opacity
  std::size_t tiny = 0;          // largest scale below min_scale_fraction of the scene extent
  std::size_t unimportant = 0;   // least important from rendered views (importance_prune.h)
  double importance_kept = 1.0;  // share of the total importance the kept Gaussians hold
  std::size_t count_out = 0;
  int sh_degree_in = 0;
  int sh_degree_out = 0;
  // Opacity-weighted RMS colour each band adds over all directions, bands 1..3 (0 where absent).
  std::array<double, 3> band_rms{0, 0, 0};
};

// RMS colour (per channel, over the sphere of directions, weighted by opacity) that SH
// band `band` of the cloud adds: sqrt(mean of sum of squared coefficients / 4 pi),
// since the real SH basis is orthonormal over the sphere.
double sh_band_rms(const GaussianCloud& cloud, int band);

// Returns the Gaussians kept, in input order, with rotations normalised. The cloud's
// arrays must have consistent sizes (values may be anything).
GaussianCloud prune_gaussians(const GaussianCloud& cloud, const PruneSettings& settings, PruneReport* report);

}  // namespace scenezip::codec
