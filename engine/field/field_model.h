// A hash-grid neural field and its plain C++ training step: the reference the Vulkan
// kernels (engine/gpu/field_kernels) are tested against, and a CPU fallback.
//
// Parameters live in one float array: the hash table (entries x features), then each
// MLP layer's weights as [out][in] rows, first layer first. The forward pass keeps
// every layer's input ("activations") so the backward pass can reuse them; sums run in
// the order the GPU kernels use (inputs ascending; batch gradients in chunks of
// shaderio::kFieldWeightGradChunk samples, then the chunks in order).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/field/field_config.h"
#include "engine/field/hash_encoding.h"

namespace scenezip::field {

struct LayerShape {
  int in_dims = 0, out_dims = 0;
  std::size_t weight_offset = 0;  // in the parameter array
  bool relu = false;              // ReLU on the output (every layer but the last)
};

class FieldModel {
 public:
  // Parameters initialised from config.seed: table entries uniform in +-1e-4 (as
  // Instant-NGP), weights uniform in +-sqrt(6 / (fan_in + fan_out)).
  static Result<FieldModel> create(const FieldConfig& config);

  const FieldConfig& config() const { return config_; }
  const HashGridLayout& layout() const { return layout_; }
  const std::vector<LayerShape>& layers() const { return layers_; }
  std::size_t hash_parameter_count() const { return layout_.parameter_count(); }
  std::size_t parameter_count() const { return params.size(); }

  std::vector<float> params;

 private:
  FieldConfig config_;
  HashGridLayout layout_;
  std::vector<LayerShape> layers_;
};

// Inputs of a batch: positions in the unit cube (3 floats each) and, when the config
// encodes directions, unit view directions (3 floats each; else may be null).
struct FieldBatch {
  const float* positions = nullptr;
  const float* directions = nullptr;
  std::size_t count = 0;
};

// What a forward pass keeps for the backward pass.
struct ForwardPass {
  std::size_t count = 0;
  std::vector<std::vector<float>> activations;  // [layer]: count x in_dims; then count x output_dims raw outputs
  std::vector<float> outputs;                   // count x output_dims, after the output activation
};

// The MLP's input rows: hash features of every level, then the direction's SH basis.
void encode_inputs(const FieldModel& model, const FieldBatch& batch, float* out);

ForwardPass forward(const FieldModel& model, const FieldBatch& batch);
// Outputs only (what decoding needs), in batches to bound memory.
std::vector<float> evaluate(const FieldModel& model, const FieldBatch& batch);

// Mean squared error over the batch and outputs, and (when `gradients` is not null,
// sized parameter_count) its gradient with respect to every parameter, added to it.
double backward(const FieldModel& model, const FieldBatch& batch, const ForwardPass& pass, const float* targets,
                float* gradients);
double mean_squared_error(const ForwardPass& pass, const float* targets, int output_dims);

struct AdamState {
  std::vector<float> m, v;
  std::uint32_t step = 0;  // updates applied
};
AdamState make_adam(const FieldModel& model);
// One Adam update of every parameter with bias correction for step + 1.
void adam_update(const FieldConfig& config, const std::vector<float>& gradients, AdamState* state,
                 std::vector<float>* params);

// Forward, backward and Adam on one batch; returns the batch's loss before the update.
double train_step(FieldModel* model, AdamState* adam, const FieldBatch& batch, const float* targets);

}  // namespace scenezip::field
