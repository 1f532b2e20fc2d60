// Settings of a hash-grid neural field (Instant-NGP's multiresolution hash encoding, a
// small ReLU MLP and an optional spherical-harmonics view-direction encoding), and of
// how it trains. A FieldConfig is data: it is read from and written as JSON, printed
// back with every result and stored beside the parameters it describes.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/status.h"

namespace scenezip::field {

enum class OutputActivation { kNone, kSigmoid };

struct FieldConfig {
  // Hash encoding: level l has resolution floor(base_resolution * per_level_scale^l)
  // cells per axis; a level whose (resolution + 1)^3 grid vertices fit in
  // 2^log2_table_size entries is stored dense, finer levels are hashed into that many.
  int levels = 8;
  int log2_table_size = 15;
  int features = 2;  // floats per table entry
  int base_resolution = 16;
  float per_level_scale = 1.5f;
  // View-direction encoding: SH basis values up to this degree (0..3) join the MLP's
  // input, (degree + 1)^2 of them; -1 leaves directions out.
  int direction_degree = -1;
  // MLP: hidden_layers layers of hidden_width ReLU units, no biases (as tiny-cuda-nn's
  // fully fused MLP), then a linear layer to output_dims and the output activation.
  int hidden_width = 64;
  int hidden_layers = 2;
  int output_dims = 3;
  OutputActivation output_activation = OutputActivation::kNone;
  // Adam on every parameter with the mean squared error over the batch and outputs.
  float learning_rate = 1e-2f;
  float beta1 = 0.9f;
  float beta2 = 0.99f;
  float epsilon = 1e-15f;
  int batch_size = 1 << 14;  // samples per training step
  int steps = 2000;          // training steps of a fit
  std::uint64_t seed = 1;    // parameter initialisation and batch sampling

  int direction_dims() const { return direction_degree < 0 ? 0 : (direction_degree + 1) * (direction_degree + 1); }
  int encoding_dims() const { return levels * features; }
  int input_dims() const { return encoding_dims() + direction_dims(); }

  // Checks every value against the ranges the engine supports (invalid_input naming
  // the setting).
  Status validate() const;
};

// `{"levels": 8, ...}` with every setting; parse accepts any subset over the defaults
// and rejects unknown keys and out-of-range values.
std::string field_config_json(const FieldConfig& config);
Result<FieldConfig> parse_field_config(const std::string& json_text);

const char* output_activation_name(OutputActivation activation);

}  // namespace scenezip::field
