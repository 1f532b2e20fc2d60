#include "engine/field/field_model.h"

#include <algorithm>
#include <cmath>

#include "engine/field/field_random.h"
#include "engine/render/splat_reference.h"

namespace scenezip::field {

Result<FieldModel> FieldModel::create(const FieldConfig& config) {
  SCZ_RETURN_IF_ERROR(config.validate());
  FieldModel model;
  model.config_ = config;
  model.layout_ = make_hash_layout(config);
  std::size_t offset = model.layout_.parameter_count();
  int in = config.input_dims();
  for (int l = 0; l <= config.hidden_layers; ++l) {
    const bool last = l == config.hidden_layers;
    LayerShape shape;
    shape.in_dims = in;
    shape.out_dims = last ? config.output_dims : config.hidden_width;
    shape.weight_offset = offset;
    shape.relu = !last;
    offset += static_cast<std::size_t>(shape.in_dims) * shape.out_dims;
    in = shape.out_dims;
    model.layers_.push_back(shape);
  }
  model.params.resize(offset);
  SplitMix64 rng(config.seed);
  for (std::size_t i = 0; i < model.layout_.parameter_count(); ++i) model.params[i] = rng.uniform(-1e-4f, 1e-4f);
  for (const LayerShape& shape : model.layers_) {
    const float limit = std::sqrt(6.0f / static_cast<float>(shape.in_dims + shape.out_dims));
    for (std::size_t i = 0; i < static_cast<std::size_t>(shape.in_dims) * shape.out_dims; ++i) {
      model.params[shape.weight_offset + i] = rng.uniform(-limit, limit);
    }
  }
  return model;
}

void encode_inputs(const FieldModel& model, const FieldBatch& batch, float* out) {
  const FieldConfig& c = model.config();
  const std::size_t stride = c.input_dims();
  hash_encode(model.layout(), model.params.data(), batch.positions, batch.count, out, stride);
  const int dir_dims = c.direction_dims();
  if (dir_dims == 0) return;
  for (std::size_t i = 0; i < batch.count; ++i) {
    float basis[16];
    sh_basis(batch.directions + 3 * i, c.direction_degree, basis);
    std::copy(basis, basis + dir_dims, out + i * stride + c.encoding_dims());
  }
}

namespace {

float activate_output(float z, OutputActivation activation) {
  return activation == OutputActivation::kSigmoid ? 1.0f / (1.0f + std::exp(-z)) : z;
}

void linear_forward(const float* weights, const LayerShape& shape, const float* in, std::size_t count, float* out) {
  for (std::size_t b = 0; b < count; ++b) {
    const float* x = in + b * shape.in_dims;
    for (int j = 0; j < shape.out_dims; ++j) {
      const float* w = weights + static_cast<std::size_t>(j) * shape.in_dims;
      float sum = 0.0f;
      for (int i = 0; i < shape.in_dims; ++i) sum += w[i] * x[i];
      out[b * shape.out_dims + j] = shape.relu ? std::max(sum, 0.0f) : sum;
    }
  }
}

}  // namespace

ForwardPass forward(const FieldModel& model, const FieldBatch& batch) {
  const FieldConfig& c = model.config();
  ForwardPass pass;
  pass.count = batch.count;
  const auto& layers = model.layers();
  pass.activations.resize(layers.size() + 1);
  pass.activations[0].resize(batch.count * c.input_dims());
  encode_inputs(model, batch, pass.activations[0].data());
  for (std::size_t l = 0; l < layers.size(); ++l) {
    pass.activations[l + 1].resize(batch.count * layers[l].out_dims);
    linear_forward(model.params.data() + layers[l].weight_offset, layers[l], pass.activations[l].data(), batch.count,
                   pass.activations[l + 1].data());
  }
  pass.outputs = pass.activations.back();
  for (float& y : pass.outputs) y = activate_output(y, c.output_activation);
  return pass;
}

std::vector<float> evaluate(const FieldModel& model, const FieldBatch& batch) {
  const int out_dims = model.config().output_dims;
  std::vector<float> outputs(batch.count * out_dims);
  constexpr std::size_t kChunk = 4096;
  for (std::size_t first = 0; first < batch.count; first += kChunk) {
    FieldBatch part;
    part.count = std::min(kChunk, batch.count - first);
    part.positions = batch.positions + 3 * first;
    part.directions = batch.directions ? batch.directions + 3 * first : nullptr;
    const ForwardPass pass = forward(model, part);
    std::copy(pass.outputs.begin(), pass.outputs.end(), outputs.begin() + first * out_dims);
  }
  return outputs;
}

double mean_squared_error(const ForwardPass& pass, const float* targets, int /*output_dims*/) {
  double sum = 0.0;
  for (std::size_t i = 0; i < pass.outputs.size(); ++i) {
    const double d = static_cast<double>(pass.outputs[i]) - targets[i];
    sum += d * d;
  }
  return pass.outputs.empty() ? 0.0 : sum / static_cast<double>(pass.outputs.size());
}

double backward(const FieldModel& model, const FieldBatch& batch, const ForwardPass& pass, const float* targets,
                float* gradients) {
  const FieldConfig& c = model.config();
  const double loss = mean_squared_error(pass, targets, c.output_dims);
  if (!gradients) return loss;
  const std::size_t count = pass.count;
  const auto& layers = model.layers();
  const int out_dims = c.output_dims;
  // d loss / d raw output, as field_loss.comp computes it.
  const float scale = 2.0f / static_cast<float>(count * out_dims);
  std::vector<float> delta(count * out_dims);
  for (std::size_t i = 0; i < delta.size(); ++i) {
    const float y = pass.outputs[i];
    float d = scale * (y - targets[i]);
    if (c.output_activation == OutputActivation::kSigmoid) d *= y * (1.0f - y);
    delta[i] = d;
  }
  const std::size_t chunk = shaderio::kFieldWeightGradChunk;
  for (std::size_t l = layers.size(); l-- > 0;) {
    const LayerShape& shape = layers[l];
    const float* in = pass.activations[l].data();
    const float* weights = model.params.data() + shape.weight_offset;
    float* dw = gradients + shape.weight_offset;
    for (int j = 0; j < shape.out_dims; ++j) {
      for (int i = 0; i < shape.in_dims; ++i) {
        float total = 0.0f;
        for (std::size_t first = 0; first < count; first += chunk) {
          float part = 0.0f;
          for (std::size_t b = first; b < std::min(count, first + chunk); ++b) {
            part += delta[b * shape.out_dims + j] * in[b * shape.in_dims + i];
          }
          total += part;
        }
        dw[static_cast<std::size_t>(j) * shape.in_dims + i] += total;
      }
    }
    // Gradient with respect to this layer's input: only the hash features need it at
    // the first layer (directions are not learned).
    const int grad_dims = l == 0 ? c.encoding_dims() : shape.in_dims;
    if (grad_dims == 0) break;
    std::vector<float> d_in(count * shape.in_dims, 0.0f);
    for (std::size_t b = 0; b < count; ++b) {
      for (int i = 0; i < grad_dims; ++i) {
        float sum = 0.0f;
        for (int j = 0; j < shape.out_dims; ++j) {
          sum += weights[static_cast<std::size_t>(j) * shape.in_dims + i] * delta[b * shape.out_dims + j];
        }
        // The input is the previous layer's ReLU output: no gradient where it was cut.
        if (l > 0 && !(in[b * shape.in_dims + i] > 0.0f)) sum = 0.0f;
        d_in[b * shape.in_dims + i] = sum;
      }
    }
    delta = std::move(d_in);
  }
  hash_encode_backward(model.layout(), batch.positions, count, delta.data(), c.input_dims(), gradients);
  return loss;
}

AdamState make_adam(const FieldModel& model) {
  AdamState state;
  state.m.assign(model.parameter_count(), 0.0f);
  state.v.assign(model.parameter_count(), 0.0f);
  return state;
}

void adam_update(const FieldConfig& c, const std::vector<float>& gradients, AdamState* state,
                 std::vector<float>* params) {
  const float t = static_cast<float>(state->step + 1);
  const float correction1 = 1.0f - std::pow(c.beta1, t);
  const float correction2 = 1.0f - std::pow(c.beta2, t);
  for (std::size_t i = 0; i < params->size(); ++i) {
    const float g = gradients[i];
    const float m = c.beta1 * state->m[i] + (1.0f - c.beta1) * g;
    const float v = c.beta2 * state->v[i] + (1.0f - c.beta2) * g * g;
    state->m[i] = m;
    state->v[i] = v;
    (*params)[i] -= c.learning_rate * (m / correction1) / (std::sqrt(v / correction2) + c.epsilon);
  }
  ++state->step;
}

double train_step(FieldModel* model, AdamState* adam, const FieldBatch& batch, const float* targets) {
  const ForwardPass pass = forward(*model, batch);
  std::vector<float> gradients(model->parameter_count(), 0.0f);
  const double loss = backward(*model, batch, pass, targets, gradients.data());
  adam_update(model->config(), gradients, adam, &model->params);
  return loss;
}

}  // namespace scenezip::field
