// The Gaussian encoder's parameters as data: named presets, printed with every result and
// stored in every `.scz` file as JSON, so any output can be reproduced from its settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  // so the first slices hold most of the signal; for rotations also "smallest_three"
  // (three components and which one was dropped: see Transform::kSmallestThree).
  std::string transform = "none";
  // How each Gaussian pulls on this attribute's codebooks (see kmeans weighting); empty
  // takes the codec-wide setting. Errors in size show most on large opaque Gaussians,
  // while errors in SH colour do not grow with size, so they want different weights.
  std::string weighting;
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
  // Per Gaussian (format version 3, range coding only): a Gaussian whose higher SH bands
  // add less than this RMS colour over the sphere of directions, times the square root
  // of its importance over the mean importance (importance_source: rendered views by
  // default), keeps none: a presence bit instead of its SH indices, and zero bands. 0:
  // every Gaussian keeps its bands.
  float sh_gaussian_min_rms = 0.0f;

  // Pruning by importance from rendered views (codec/importance_prune.h): each
  // Gaussian's blending weight summed over the pixels of orbit views; the least
  // important go. Off by default. With both targets set the stricter one wins.
  float importance_keep = 1.0f;            // keep the most important holding this share of the total (1: off)
  float importance_prune_fraction = 0.0f;  // remove at least this share of the Gaussians (0: off)
  // "views": rendered as above; "opacity": the opacity alone (a baseline that renders nothing).
  std::string importance_source = "views";
  int importance_views = 24;        // views around the scene (importance_cameras)
  int importance_resolution = 512;  // pixels a side of each view
  // "none", or "volume": times LightGaussian's (volume / its 10th percentile)^power.
  std::string importance_volume = "none";
  float importance_volume_power = 0.1f;

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
  // How much each Gaussian pulls on the codebooks: "uniform", "opacity",
  // "opacity_area" (opacity times the square root of its largest cross-section), or
  // "footprint" (opacity squared times its largest cross-section: roughly how much of
  // the image a small error in the Gaussian changes, squared as the error is), or
  // "importance" (its importance from rendered views, as LightGaussian weights it).
  std::string weighting = "uniform";
  // Entropy-constrained assignment (0: off): how many bits one unit of the mean squared
  // error is worth when a Gaussian may move to a more used code (gaussian_encoder.cpp).
  float rate_weight = 0.0f;

  // "range": positions and codebook indices range coded with context models (format
  // version 2); "zstd": byte planes for zstd, as version 1 wrote them.
  std::string entropy_coder = "range";
  int zstd_level = 19;  // every stream not range coded

  // Colour: "sh" (the color and sh attributes), or a hash-grid field fitted to the
  // scene's own colours: "field-view" (SH bands 1..3's part, the DC kept as the color
  // attribute) or "field-full" (all of it). `colour_field` holds the field's settings
  // (engine/field's FieldConfig as JSON text). A field needs the encoder's
  // fit_colour_field accelerator (EncoderAccelerators).
  std::string colour = "sh";
  std::string colour_field = "{}";
  // Threads for k-means and compression; 0 means all. Not stored: it never changes output.
  int threads = 0;
};

// The presets, from largest file and best quality to smallest: levels of the ladder below.
std::vector<std::string> preset_names();
Result<GaussianCodecSettings> preset_settings(const std::string& name);

// A ladder of settings from smallest file (level 0) to best quality, each level adding
// roughly a quarter to the bytes; the presets are levels on it (small 2, balanced 4,
// high 6), and `compress --target-psnr` searches it.
int quality_levels();
Result<GaussianCodecSettings> quality_level_settings(int level);
// The same ladder made continuous: a level between two rungs takes the nearer rung's
// slices with every codebook scaled (geometrically) towards the other rung's index bits,
// and the position bits in between, so bytes and quality move smoothly with the level
// (whole levels are quality_level_settings exactly).
Result<GaussianCodecSettings> quality_settings(double level);

// The settings as JSON, as printed with every result and stored (dumped on one line) in
// `.scz` files.
nlohmann::ordered_json settings_json(const GaussianCodecSettings& settings);
// Reads such JSON back; missing keys, wrong types or another codec's settings are
// invalid_input, and the values are checked (check_settings).
Result<GaussianCodecSettings> settings_from_json(const nlohmann::json& json);
// Checks ranges and that slice sizes fit the attributes.
Status check_settings(const GaussianCodecSettings& settings);

}  // namespace scenezip::codec
