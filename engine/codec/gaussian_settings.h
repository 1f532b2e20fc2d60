// The Gaussian encoder's parameters as data: named presets, printed with every result and
// stored in every `.scz` file as JSON, so any output can be reproduced from its settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip::codec {

// One attribute's sub-vector quantizer: the attribute vector (after its transform) is
// cut into consecutive slices of these sizes and each slice gets a k-means codebook of
// the matching size. Slices sum to the attribute's dimension; for SH, to the 45 values of
// degree 3, and a lower degree keeps the leading slices that fit, the last one cut short.
struct QuantizerSettings {
  std::vector<int> slices;
  std::vector<int> codebook_sizes;  // one per slice
  // "none", or "pca": code the vector in its principal axes (largest variance first),
  // so the first slices hold most of the signal.
  std::string transform = "none";
};

struct GaussianCodecSettings {
  std::string preset = "custom";

  // Pruning (CPU part: what needs no rendering).
  float min_opacity = 1.0f / 255;  // sigmoid(opacity) below this is invisible
  // Gaussians whose largest scale is below this fraction of the scene's largest extent.
  float min_scale_fraction = 1e-6f;
  // Higher SH bands are dropped, from the top, while the opacity-weighted RMS colour they
  // add over the sphere of directions stays below this (in colour units, 1 = full range).
  float sh_band_min_rms = 1.0f / 1024;
  int max_sh_degree = 3;

  // Positions: bits per axis over the central 99% of the scene (more where floaters
  // widen the bounds: see position_grid_bits), Morton order, delta coded.
  int position_bits = 16;

  // Sub-vector quantization per attribute (see codec::Attribute for the vectors).
  QuantizerSettings scale;
  QuantizerSettings rotation;
  QuantizerSettings opacity;
  QuantizerSettings color;
  QuantizerSettings sh;  // all higher bands as one vector

  // k-means.
  int kmeans_iterations = 10;
  std::uint64_t kmeans_samples = 65536;  // training subset per codebook (0: every Gaussian)
  // Codebooks shrink to at most (Gaussians / this) codes, so a small scene does not pay
  // for a codebook larger than its index savings (0: no cap).
  int min_gaussians_per_code = 16;
  std::uint64_t seed = 1;
  // How much each Gaussian pulls on the codebooks: "uniform", "opacity", or
  // "opacity_area" (opacity times the square root of its largest cross-section).
  std::string weighting = "uniform";

  int zstd_level = 19;
  // Threads for k-means and compression; 0 means all. Not stored: it never changes output.
  int threads = 0;
};

// The presets, from largest file and best quality to smallest.
std::vector<std::string> preset_names();
Result<GaussianCodecSettings> preset_settings(const std::string& name);

// JSON text of the settings (`indent` < 0: one line), as stored in `.scz` files.
std::string settings_to_json(const GaussianCodecSettings& settings, int indent = -1);
// Reads settings back from such text; unknown keys or wrong types are invalid_input.
Result<GaussianCodecSettings> settings_from_json(const std::string& text);
// Checks ranges and that slice sizes fit the attributes.
Status check_settings(const GaussianCodecSettings& settings);

}  // namespace scenezip::codec
