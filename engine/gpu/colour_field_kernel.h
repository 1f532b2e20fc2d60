// Fits a Gaussian scene's colour field on the GPU: field_colour_sample.comp draws each
// step's batch from the step count (twin of field::sample_colour), then the
// FieldTrainer's step; both recorded once and replayed.
#pragma once

#include <memory>

#include "engine/field/colour_field.h"
#include "engine/field/colour_field_sh.h"
#include "engine/gpu/field_kernels.h"

namespace scenezip::gpu {

class ColourFieldFitter {
 public:
  // Uploads the scene's sampling data and `model`'s parameters. `context` must outlive
  // this object.
  static Result<std::unique_ptr<ColourFieldFitter>> create(Context& context, const field::ColourFieldData& data,
                                                           field::ColourTarget target, const field::FieldModel& model,
                                                           FieldTrainer::Atomics atomics = FieldTrainer::Atomics::kAuto,
                                                           FieldTrainer::Mlp mlp = FieldTrainer::Mlp::kAuto);
  ~ColourFieldFitter();

  FieldTrainer& trainer() { return *trainer_; }
  // Records the sampling of one batch (reads the step count).
  void record_sample(VkCommandBuffer cmd) const;
  // config.steps steps (or `steps` when >= 0); the mean batch loss of the last step.
  Result<double> fit(int steps = -1);
  Result<std::vector<double>> timed_steps(int steps);
  Result<std::vector<std::pair<std::string, double>>> profile_steps(int steps);
  // The trained parameters into `model` (same config as at creation).
  Status download(field::FieldModel* model) const;

 private:
  ColourFieldFitter(Context& context) : context_(context) {}
  Context& context_;
  std::unique_ptr<FieldTrainer> trainer_;
  std::unique_ptr<Buffer> gaussians_, sh_, viewpoints_;
  ComputePipeline sample_;
  VkDescriptorSet sample_set_ = VK_NULL_HANDLE;
  shaderio::ColourSamplePush push_{};
};

// Fits `model` (trained in place from its current parameters) and reports as the CPU
// fit does (losses holds the last step's loss only: the GPU reads nothing back between
// steps).
Result<field::ColourFitReport> fit_colour_field_gpu(Context& context, const field::ColourFieldData& data,
                                                    field::ColourTarget target, field::FieldModel* model);

// The matrix-unit MLP against the plain one on one batch of `model` (sampled as step 0
// of a fit, from activation and delta buffers filled with NaN): the largest absolute differences of the outputs, the MLP weights' and the
// hash table's gradients, each beside the largest absolute value of the plain path's
// (so a difference reads as relative). Unsupported where the device has no matrix units.
struct MlpPathComparison {
  std::uint32_t batch = 0;
  double output_diff = 0, output_max = 0;
  double weight_grad_diff = 0, weight_grad_max = 0;
  double hash_grad_diff = 0, hash_grad_max = 0;
  double loss_plain = 0, loss_matrix = 0;  // mean squared error of the batch
  // Outputs and gradients of either path that are not finite: the step starts from
  // buffers filled with NaN, so a kernel reading a value no kernel wrote counts here.
  std::size_t non_finite = 0;
};
Result<MlpPathComparison> compare_mlp_paths(Context& context, const field::ColourFieldData& data,
                                            field::ColourTarget target, const field::FieldModel& model);

// Evaluates fields with the FieldTrainer's forward pass (twin of field::evaluate). The
// trainer of the last model seen is kept, so evaluating one model in many chunks
// uploads its parameters once; `context` must outlive the evaluator.
field::FieldEvaluator gpu_field_evaluator(Context& context);

}  // namespace scenezip::gpu
