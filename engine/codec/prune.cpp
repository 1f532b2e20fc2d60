#include "engine/codec/prune.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace scenezip::codec {

namespace {

bool all_finite(const float* v, int n) {
  for (int k = 0; k < n; ++k) {
    if (!std::isfinite(v[k])) return false;
  }
  return true;
}

}  // namespace

double sh_band_rms(const GaussianCloud& cloud, int band) {
  if (band < 1 || band > cloud.sh_degree || cloud.count == 0) return 0.0;
  const int per_channel = sh_coeffs_per_channel(cloud.sh_degree) - 1;
  const int first = band * band - 1;
  const int stride = cloud.sh_rest_stride();
  double weighted = 0.0, weight = 0.0;
  for (std::size_t i = 0; i < cloud.count; ++i) {
    const double alpha = activation::opacity(cloud.logit_opacities[i]);
    double sum = 0.0;
    for (int c = 0; c < 3; ++c) {
      for (int j = 0; j < 2 * band + 1; ++j) {
        const double v = cloud.sh_rest[static_cast<std::size_t>(stride) * i + c * per_channel + first + j];
        sum += v * v;
      }
    }
    weighted += alpha * sum / 3.0;
    weight += alpha;
  }
  if (!(weight > 0.0)) return 0.0;
  return std::sqrt(weighted / weight / (4.0 * std::numbers::pi));
}

GaussianCloud prune_gaussians(const GaussianCloud& cloud, const PruneSettings& s, PruneReport* report) {
  PruneReport r;
  r.count_in = cloud.count;
  r.sh_degree_in = cloud.sh_degree;
  const int stride = cloud.sh_rest_stride();

  // The extent comes from the finite positions, so one wild Gaussian does not set it.
  const Bounds bounds = compute_bounds(cloud.positions);
  float extent = 0.0f;
  for (int k = 0; k < 3; ++k) extent = std::max(extent, bounds.max[k] - bounds.min[k]);
  const float min_log_scale = extent > 0.0f && s.min_scale_fraction > 0.0f
                                  ? std::log(s.min_scale_fraction * extent)
                                  : -std::numeric_limits<float>::infinity();

  std::vector<std::size_t> keep;
  keep.reserve(cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    const float* q = &cloud.rotations[4 * i];
    const bool finite = all_finite(&cloud.positions[3 * i], 3) && all_finite(&cloud.log_scales[3 * i], 3) &&
                        all_finite(q, 4) && std::isfinite(cloud.logit_opacities[i]) &&
                        all_finite(&cloud.sh_dc[3 * i], 3) &&
                        (stride == 0 || all_finite(&cloud.sh_rest[static_cast<std::size_t>(stride) * i], stride));
    const float q_norm = finite ? q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3] : 0.0f;
    if (!finite || !(q_norm > 1e-12f) || !std::isfinite(q_norm)) {
      ++r.non_finite;
      continue;
    }
    if (activation::opacity(cloud.logit_opacities[i]) < s.min_opacity) {
      ++r.transparent;
      continue;
    }
    const float* ls = &cloud.log_scales[3 * i];
    if (std::max({ls[0], ls[1], ls[2]}) < min_log_scale) {
      ++r.tiny;
      continue;
    }
    keep.push_back(i);
  }

  GaussianCloud out;
  out.resize(keep.size(), cloud.sh_degree);
  for (std::size_t d = 0; d < keep.size(); ++d) out.copy_from(cloud, keep[d], d);
  out.normalize_rotations();

  for (int band = 1; band <= cloud.sh_degree; ++band) r.band_rms[band - 1] = sh_band_rms(out, band);
  int degree = std::min(cloud.sh_degree, s.max_sh_degree);
  while (degree > 0 && r.band_rms[degree - 1] < s.sh_band_min_rms) --degree;
  out.set_sh_degree(degree);
  r.sh_degree_out = degree;
  r.count_out = out.count;
  if (report) *report = r;
  return out;
}

}  // namespace scenezip::codec
