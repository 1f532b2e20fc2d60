// A 3D Gaussian scene as plain arrays (structure of arrays), in the parameterisation
// 3DGS trainers write: the activations below turn stored values into physical ones.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/core/status.h"

namespace scenezip {

// The one place the activations are stated.
namespace activation {
inline constexpr double kShC0 = 0.28209479177387814;
inline float opacity(float logit) { return 1.0f / (1.0f + std::exp(-logit)); }
inline float logit(float opacity) { return std::log(opacity / (1.0f - opacity)); }
inline float scale(float log_scale) { return std::exp(log_scale); }
inline float log_scale(float scale) { return std::log(scale); }
// Colour of the DC band alone, before clamping: 0.5 + C0 * dc.
inline float dc_to_color(float dc) { return 0.5f + static_cast<float>(kShC0) * dc; }
inline float color_to_dc(float color) { return (color - 0.5f) / static_cast<float>(kShC0); }
}  // namespace activation

// Coefficients per colour channel for SH degree d, the DC term included.
constexpr int sh_coeffs_per_channel(int degree) { return (degree + 1) * (degree + 1); }
// Higher-band coefficients per Gaussian (all three channels), the DC term excluded.
constexpr int sh_rest_per_gaussian(int degree) { return 3 * (sh_coeffs_per_channel(degree) - 1); }
inline constexpr int kMaxShDegree = 3;

struct GaussianCloud {
  std::size_t count = 0;
  int sh_degree = 0;
  std::vector<float> positions;       // 3 per Gaussian: x y z
  std::vector<float> log_scales;      // 3 per Gaussian: scale = exp(value)
  std::vector<float> rotations;       // 4 per Gaussian: unit quaternion w x y z
  std::vector<float> logit_opacities; // 1 per Gaussian: opacity = sigmoid(value)
  std::vector<float> sh_dc;           // 3 per Gaussian: R G B DC coefficients
  // sh_rest_per_gaussian(sh_degree) per Gaussian, channel-major as in INRIA PLY's
  // f_rest: all of R's higher coefficients, then G's, then B's.
  std::vector<float> sh_rest;

  // Sizes every array for `n` Gaussians of SH degree `degree`, values zeroed.
  void resize(std::size_t n, int degree);
  int sh_rest_stride() const { return sh_rest_per_gaussian(sh_degree); }

  // Checks array sizes against count and that every value is finite.
  Status validate() const;
  // Normalises quaternions; a zero quaternion becomes identity.
  void normalize_rotations();
  // Copies Gaussian `src_index` of `src` into slot `dst_index` of this cloud (same degree).
  void copy_from(const GaussianCloud& src, std::size_t src_index, std::size_t dst_index);
  // Changes the SH degree, dropping or zero-filling higher bands.
  void set_sh_degree(int degree);
};

struct Bounds {
  std::array<float, 3> min{0, 0, 0};
  std::array<float, 3> max{0, 0, 0};
};

// Axis-aligned bounds of xyz triples; empty input gives zero bounds.
Bounds compute_bounds(const std::vector<float>& xyz);

}  // namespace scenezip
