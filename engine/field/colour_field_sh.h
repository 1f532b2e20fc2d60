// Turning a decoded colour field into per-Gaussian SH coefficients, so that every reader
// of Gaussian scenes (renderers, writers of PLY, SPZ, SOG ...) gets colours from a file
// whose colour is a field. Each Gaussian's field colour is evaluated along a fixed set of
// directions spread over the sphere and the SH of degree 3 fitted to them by least
// squares; the view-dependent kind adds the fitted constant to the stored DC.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/field/colour_field_codec.h"

namespace scenezip::field {

// The field's raw outputs (3 per input) for inputs in the unit cube and unit directions.
using FieldEvaluator = std::function<Result<std::vector<float>>(const FieldModel& model, const float* positions,
                                                                const float* directions, std::size_t count)>;
// field::evaluate, the C++ reference.
FieldEvaluator cpu_field_evaluator();

// The directions the SH are fitted over: a Fibonacci sphere of kShFitDirections points.
inline constexpr int kShFitDirections = 48;
std::vector<float> sh_fit_directions();

// Least-squares SH of degree 3 (16 coefficients) from values along sh_fit_directions():
// the 16 x kShFitDirections matrix whose rows give each coefficient.
const std::vector<double>& sh_fit_matrix();

// Replaces `cloud`'s colour with SH of degree 3 fitted to `field` (whose positions are
// the cloud's). Gaussians are evaluated in chunks, so memory stays bounded.
Status bake_colour_field_sh(const DecodedColourField& field, const FieldEvaluator& evaluate, GaussianCloud* cloud);

// Installs the `.scz` decoder's colour-field resolver: load_colour_field on the
// decoded positions, then bake_colour_field_sh with `evaluate`. `note`, when given,
// hears one line per file saying the colours came from a field.
void install_colour_field_decoding(FieldEvaluator evaluate, std::function<void(const std::string&)> note = {});

}  // namespace scenezip::field
