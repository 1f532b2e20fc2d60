// Colour fields for Gaussian scenes: a hash-grid field fitted to a scene's own colours
// (no photographs): inputs are Gaussian positions contracted to the unit cube and view
// directions, targets the colours the Gaussians' SH coefficients give. The field carries
// either all of the colour, or only the view-dependent part (SH bands 1..3) with each
// Gaussian's DC colour kept beside it.
#pragma once

#include <array>
#include <vector>

#include "engine/field/field_model.h"
#include "engine/scene/gaussian_cloud.h"

namespace scenezip::field {

enum class ColourTarget { kFull, kViewDependent };
const char* colour_target_name(ColourTarget target);

// Positions p map to q = (p - centre) / half_extent (the scene's robust bounds, 1%
// trimmed per axis), then q stays where |q|_inf <= 1 and becomes (2 - 1/|q|_inf) q / |q|_inf
// outside (Mip-NeRF 360's contraction in the max norm), then (q + 2) / 4 in [0, 1]^3.
struct Contraction {
  std::array<float, 3> centre{0, 0, 0};
  std::array<float, 3> half_extent{1, 1, 1};
  void apply(const float p[3], float out[3]) const;
};
Contraction scene_contraction(const GaussianCloud& cloud);

// What the sampler reads, in the GPU's layout.
struct ColourFieldData {
  std::size_t count = 0;
  int sh_degree = 0;
  Contraction contraction;
  std::vector<float> gaussians;   // 8 per Gaussian: contracted x y z, 0, world x y z, 0
  std::vector<float> sh;          // 48 per Gaussian: per channel 16 coefficients, DC first, zero past the degree
  std::vector<float> viewpoints;  // 4 per viewpoint: world x y z, 0; empty: directions uniform on the sphere
};

// Errors: an empty cloud, non-finite values (invalid_input).
Result<ColourFieldData> make_colour_field_data(const GaussianCloud& cloud, int orbit_viewpoints);

// Sample `i` of training step `step`, by the rules in shaders/shaderio.h (twin of
// field_colour_sample.comp): writes 3 floats of position, direction and target, and
// returns the Gaussian drawn.
std::size_t sample_colour(const ColourFieldData& data, ColourTarget target, std::uint32_t seed, std::uint32_t step,
                   std::uint32_t batch, std::uint32_t i, float position[3], float direction[3], float colour[3]);

// The field's config for a colour target: 3 outputs, sigmoid for all of the colour,
// linear for the view-dependent residual; directions encoded to SH degree 3.
FieldConfig colour_field_config(FieldConfig base, ColourTarget target);

struct ColourFitReport {
  std::vector<double> losses;  // per step
  double seconds = 0;
};

// Fits on the CPU with the C++ reference (slow: small scenes and tests).
Result<ColourFitReport> fit_colour_field_cpu(const ColourFieldData& data, ColourTarget target, FieldModel* model);

// The final colour of Gaussian g seen along `direction`: the field's output for all of
// the colour, or max(0, 0.5 + C0 * dc + output) for the view-dependent part.
// `outputs` holds the field's 3 outputs for that input.
std::array<float, 3> colour_from_field(const ColourFieldData& data, ColourTarget target, std::size_t g,
                                       const float outputs[3]);

// PSNR (dB, colours clamped to [0, 1]) of the field's colours against the SH colours
// over `samples` (Gaussian, direction) pairs drawn as training draws them with `seed`.
double colour_field_psnr(const FieldModel& model, const ColourFieldData& data, ColourTarget target,
                         std::uint32_t samples, std::uint32_t seed);

}  // namespace scenezip::field
