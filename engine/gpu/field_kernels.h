// The hash-grid field on Vulkan compute: GPU twin of engine/field/field_model's
// forward, backward and Adam (shaders/field_*.comp).
//
// A FieldTrainer owns the parameters, gradients, Adam moments and the per-layer
// activations of a batch on the GPU. A training step (encode, each layer forward, loss,
// each layer backward with deterministic chunked weight gradients, hash-table gradients
// through float atomics or a compare-and-swap loop, Adam, step count) is recorded once
// into a command buffer; the application records what fills the batch before it (e.g.
// field_colour_sample.comp reading the step count), and the pair is submitted many
// times with no CPU work between steps.
//
// The MLP runs one of two ways: where the device has matrix units
// (Context::cooperative_matrix) and the layers fit, one fused dispatch per direction
// multiplies float16 tiles into float32 sums (field_mlp_*_coop.comp, weight gradients
// in field_weight_grad_coop.comp); elsewhere (the CPU driver in CI) a dispatch per
// layer in float32 (field_linear*.comp, field_weight_grad.comp), which the C++
// reference matches. SCENEZIP_FIELD_MLP=plain forces the second way (for comparisons).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/field/field_model.h"
#include "engine/gpu/context.h"

namespace scenezip::gpu {

class FieldTrainer {
 public:
  enum class Atomics { kAuto, kCompareAndSwap };
  // kAuto: the matrix units where the device and the layer widths allow (and
  // SCENEZIP_FIELD_MLP is not "plain"); kCooperativeMatrix insists (unsupported if not).
  enum class Mlp { kAuto, kPlain, kCooperativeMatrix };
  // Uploads `model`'s parameters; Adam moments and step start at zero. Holds `context`
  // by reference. Errors: a batch whose activations pass one storage buffer
  // (unsupported), Vulkan failures.
  static Result<std::unique_ptr<FieldTrainer>> create(Context& context, const field::FieldModel& model,
                                                      std::uint32_t batch_capacity, Atomics atomics = Atomics::kAuto,
                                                      Mlp mlp = Mlp::kAuto);
  ~FieldTrainer();
  FieldTrainer(const FieldTrainer&) = delete;
  FieldTrainer& operator=(const FieldTrainer&) = delete;

  const field::FieldConfig& config() const { return config_; }
  std::uint32_t batch_capacity() const { return capacity_; }
  bool float_atomics() const { return float_atomics_; }
  bool cooperative_matrix() const { return cooperative_matrix_; }

  // Batch inputs the step reads (device-local): 3 floats per sample of positions and
  // directions, output_dims floats of targets. The control buffer holds the step count.
  const Buffer& positions() const { return *buffers_[shaderio::kFieldBindingPositions]; }
  const Buffer& directions() const { return *buffers_[shaderio::kFieldBindingDirections]; }
  const Buffer& targets() const { return *buffers_[shaderio::kFieldBindingTargets]; }
  const Buffer& control() const { return *buffers_[shaderio::kFieldBindingControl]; }
  // For kernels that drive the field from outside (radiance fields): the parameters and
  // level table they evaluate it with, the activated outputs of record_forward, and the
  // deltas buffer whose raw-output rows (from output_delta_offset(), output_dims floats
  // per sample) they fill before record_backward in place of the loss.
  const Buffer& params() const { return *buffers_[shaderio::kFieldBindingParams]; }
  const Buffer& levels() const { return *buffers_[shaderio::kFieldBindingLevels]; }
  const Buffer& outputs() const { return *buffers_[shaderio::kFieldBindingOutputs]; }
  const Buffer& deltas() const { return *buffers_[shaderio::kFieldBindingDeltas]; }
  std::uint32_t output_delta_offset() const { return activation_offsets_.back(); }

  // Recording pieces (each ends with a barrier): forward fills outputs (and with
  // `loss` the losses and output deltas); backward fills the gradients; update applies
  // Adam and counts the step. record_step is the three in a row.
  void record_forward(VkCommandBuffer cmd, std::uint32_t batch, bool loss) const;
  void record_backward(VkCommandBuffer cmd, std::uint32_t batch) const;
  void record_update(VkCommandBuffer cmd) const;
  void record_step(VkCommandBuffer cmd, std::uint32_t batch) const;
  // Fills the activations, deltas and partial sums with `bits` in every word (a NaN in
  // checks): a kernel that reads what no kernel of the step wrote then shows, where
  // fresh zeroed buffers would hide it.
  void record_poison(VkCommandBuffer cmd, std::uint32_t bits) const;

  // `steps` training steps: one command buffer holding `before` (may be empty) then a
  // step, recorded once and submitted `steps` times in groups with one wait per group.
  Status train(const std::function<void(VkCommandBuffer)>& before, std::uint32_t batch, int steps);
  // Like train, with a GPU timestamp around every step: milliseconds per step.
  Result<std::vector<double>> timed_steps(const std::function<void(VkCommandBuffer)>& before, std::uint32_t batch,
                                          int steps);

  // Like timed_steps, with a timestamp after every dispatch: per kernel (a kernel run
  // once per layer summed over the layers, "sample" for `before`), the median over the
  // steps of its milliseconds per step, in the order of the step.
  Result<std::vector<std::pair<std::string, double>>> profile_steps(
      const std::function<void(VkCommandBuffer)>& before, std::uint32_t batch, int steps);

  // Copies a batch in (count <= capacity; directions may be null when unused).
  Status upload_batch(const float* positions, const float* directions, const float* targets, std::uint32_t count);
  // Runs `before` (may be empty) and one recorded piece sequence and waits.
  Status run_once(const std::function<void(VkCommandBuffer)>& record);

  Status download_params(std::vector<float>* params) const;
  Status download_gradients(std::vector<float>* gradients) const;
  Status download_adam(field::AdamState* state) const;
  Status download_outputs(std::vector<float>* outputs, std::uint32_t count) const;
  Status download_losses(std::vector<float>* losses, std::uint32_t count) const;
  Status upload_params(const std::vector<float>& params);

  // Field outputs for `count` inputs, in batches of the capacity (no training state
  // is touched but the activations).
  Result<std::vector<float>> evaluate(const float* positions, const float* directions, std::size_t count);

 private:
  struct Pipelines;
  struct Profile;
  FieldTrainer(Context& context, const field::FieldModel& model);
  // Whether the matrix-unit kernels can run this model on this device.
  bool fits_cooperative_matrix() const;
  void dispatch(VkCommandBuffer cmd, const ComputePipeline& pipeline, shaderio::FieldPush push, std::uint64_t items,
                std::uint32_t workgroup_size = shaderio::kFieldWorkgroupSize) const;
  shaderio::FieldPush base_push(std::uint32_t batch) const;
  shaderio::FieldPush layer_push(std::uint32_t batch, std::size_t layer) const;
  // The fused matrix-unit kernels' push (every layer's shape) and invocations.
  shaderio::FieldPush mlp_push(std::uint32_t batch) const;
  std::uint64_t coop_items(std::uint32_t batch) const;

  Context& context_;
  field::FieldConfig config_;
  std::vector<field::LayerShape> layers_;
  std::vector<std::uint32_t> activation_offsets_;  // per layer input, then the raw outputs
  std::size_t parameter_count_ = 0;
  std::size_t hash_parameter_count_ = 0;
  std::uint32_t capacity_ = 0;
  std::uint32_t levels_ = 0;
  bool float_atomics_ = false;
  bool cooperative_matrix_ = false;
  Profile* profile_ = nullptr;  // set while profile_steps records
  std::vector<std::unique_ptr<Buffer>> buffers_;  // by binding
  std::unique_ptr<Pipelines> pipelines_;
};

}  // namespace scenezip::gpu
