// A small Gaussian cloud made in code, the same on every machine (splitmix64 only), for
// codec tests and the golden `.scz` files.
#pragma once

#include <cmath>

#include "engine/codec/kmeans.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::test {

inline GaussianCloud synthetic_cloud(std::size_t n, int degree, std::uint64_t seed) {
  codec::SplitMix64 rng(seed);
  auto uniform = [&](double lo, double hi) { return static_cast<float>(lo + (hi - lo) * rng.uniform()); };
  GaussianCloud cloud;
  cloud.resize(n, degree);
  const int per_channel = sh_coeffs_per_channel(degree) - 1;
  for (std::size_t i = 0; i < n; ++i) {
    // Points on a wavy sheet, as captured surfaces are, with colour varying along it.
    const float u = uniform(-1, 1), v = uniform(-1, 1);
    cloud.positions[3 * i] = 2.0f * u;
    cloud.positions[3 * i + 1] = 0.3f * std::sin(3.0f * u) * std::cos(2.0f * v) + uniform(-0.01, 0.01);
    cloud.positions[3 * i + 2] = 1.5f * v;
    for (int k = 0; k < 3; ++k) cloud.log_scales[3 * i + k] = uniform(-6.0, -2.5);
    float q[4], length = 0;
    for (float& c : q) {
      c = uniform(-1, 1);
      length += c * c;
    }
    length = std::sqrt(length);
    for (int k = 0; k < 4; ++k) cloud.rotations[4 * i + k] = q[k] / length;
    cloud.logit_opacities[i] = uniform(-3.0, 6.0);
    cloud.sh_dc[3 * i] = 1.2f * u + uniform(-0.2, 0.2);
    cloud.sh_dc[3 * i + 1] = 1.2f * v + uniform(-0.2, 0.2);
    cloud.sh_dc[3 * i + 2] = uniform(-1.5, 1.5);
    for (int c = 0; c < 3; ++c) {
      for (int j = 0; j < per_channel; ++j) {
        const float band_scale = j < 3 ? 0.2f : j < 8 ? 0.1f : 0.05f;
        // Shared across channels, as real view dependence mostly is.
        const float shared = static_cast<float>(std::sin(7.0 * j + 3.0 * u));
        cloud.sh_rest[cloud.sh_rest_stride() * i + c * per_channel + j] =
            band_scale * (0.8f * shared + uniform(-0.2, 0.2));
      }
    }
  }
  return cloud;
}

}  // namespace scenezip::test
