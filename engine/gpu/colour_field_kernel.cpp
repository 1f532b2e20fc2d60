#include "engine/gpu/colour_field_kernel.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "engine/gpu/shaders.h"
#include "engine/gpu/tiled_dispatch.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

namespace io = shaderio;

ColourFieldFitter::~ColourFieldFitter() { context_.free_descriptor_set(sample_set_); }

Result<std::unique_ptr<ColourFieldFitter>> ColourFieldFitter::create(Context& context,
                                                                     const field::ColourFieldData& data,
                                                                     field::ColourTarget target,
                                                                     const field::FieldModel& model,
                                                                     FieldTrainer::Atomics atomics,
                                                                     FieldTrainer::Mlp mlp) {
  const field::FieldConfig& c = model.config();
  if (c.output_dims != 3 || c.direction_degree < 0) {
    return invalid_input("colour field: the config needs 3 outputs and a direction encoding");
  }
  if (data.count == 0 || data.count > 0xFFFFFFFFull) return invalid_input("colour field: Gaussian count out of range");
  std::unique_ptr<ColourFieldFitter> f(new ColourFieldFitter(context));
  SCZ_ASSIGN_OR_RETURN(f->trainer_, FieldTrainer::create(context, model, static_cast<std::uint32_t>(c.batch_size), atomics, mlp));
  auto upload = [&](const std::vector<float>& v, std::unique_ptr<Buffer>* out) -> Status {
    const float dummy[4] = {0, 0, 0, 0};
    SCZ_ASSIGN_OR_RETURN(Buffer b, v.empty() ? context.upload_device(dummy, sizeof(dummy))
                                             : context.upload_device(v.data(), v.size() * sizeof(float)));
    *out = std::make_unique<Buffer>(std::move(b));
    return Status::Ok();
  };
  SCZ_RETURN_IF_ERROR(upload(data.gaussians, &f->gaussians_));
  SCZ_RETURN_IF_ERROR(upload(data.sh, &f->sh_));
  SCZ_RETURN_IF_ERROR(upload(data.viewpoints, &f->viewpoints_));
  const Spirv spirv = field_colour_sample_spirv();
  SCZ_ASSIGN_OR_RETURN(f->sample_, context.create_compute_pipeline(spirv.words, spirv.count,
                                                                   io::kColourSampleBindingCount,
                                                                   sizeof(io::ColourSamplePush)));
  FieldTrainer& t = *f->trainer_;
  const BufferBindings buffers = {{io::kColourSampleBindingControl, &t.control()},
                                   {io::kColourSampleBindingGaussians, f->gaussians_.get()},
                                   {io::kColourSampleBindingSh, f->sh_.get()},
                                   {io::kColourSampleBindingViewpoints, f->viewpoints_.get()},
                                   {io::kColourSampleBindingPositions, &t.positions()},
                                   {io::kColourSampleBindingDirections, &t.directions()},
                                   {io::kColourSampleBindingTargets, &t.targets()}};
  SCZ_ASSIGN_OR_RETURN(f->sample_set_, context.create_descriptor_set(f->sample_, buffers));
  io::ColourSamplePush& push = f->push_;
  push.batch = static_cast<std::uint32_t>(c.batch_size);
  push.gaussians = static_cast<std::uint32_t>(data.count);
  push.sh_degree = static_cast<std::uint32_t>(data.sh_degree);
  push.target = target == field::ColourTarget::kFull ? io::kColourTargetFull : io::kColourTargetViewDependent;
  push.seed = static_cast<std::uint32_t>(c.seed);
  push.viewpoints = static_cast<std::uint32_t>(data.viewpoints.size() / 4);
  return f;
}

void ColourFieldFitter::record_sample(VkCommandBuffer cmd) const {
  record_tiled_dispatch(context_, cmd, sample_, sample_set_, push_, push_.batch, io::kFieldWorkgroupSize);
}

Result<double> ColourFieldFitter::fit(int steps) {
  const int n = steps >= 0 ? steps : trainer_->config().steps;
  SCZ_RETURN_IF_ERROR(trainer_->train([this](VkCommandBuffer cmd) { record_sample(cmd); }, push_.batch, n));
  std::vector<float> losses;
  SCZ_RETURN_IF_ERROR(trainer_->download_losses(&losses, push_.batch));
  const double sum = std::accumulate(losses.begin(), losses.end(), 0.0);
  return sum / (3.0 * push_.batch);
}

Result<std::vector<double>> ColourFieldFitter::timed_steps(int steps) {
  return trainer_->timed_steps([this](VkCommandBuffer cmd) { record_sample(cmd); }, push_.batch, steps);
}

Result<std::vector<std::pair<std::string, double>>> ColourFieldFitter::profile_steps(int steps) {
  return trainer_->profile_steps([this](VkCommandBuffer cmd) { record_sample(cmd); }, push_.batch, steps);
}

Result<MlpPathComparison> compare_mlp_paths(Context& context, const field::ColourFieldData& data,
                                            field::ColourTarget target, const field::FieldModel& model) {
  struct Run {
    std::vector<float> outputs, gradients, losses;
  };
  auto run = [&](FieldTrainer::Mlp mlp) -> Result<Run> {
    SCZ_ASSIGN_OR_RETURN(auto fitter, ColourFieldFitter::create(context, data, target, model,
                                                                FieldTrainer::Atomics::kAuto, mlp));
    FieldTrainer& t = fitter->trainer();
    const std::uint32_t batch = t.batch_capacity();
    SCZ_RETURN_IF_ERROR(t.run_once([&](VkCommandBuffer cmd) {
      t.record_poison(cmd, 0x7FC00000u);  // quiet NaN
      fitter->record_sample(cmd);
      Context::compute_barrier(cmd);
      t.record_forward(cmd, batch, true);
      t.record_backward(cmd, batch);
    }));
    Run r;
    SCZ_RETURN_IF_ERROR(t.download_outputs(&r.outputs, batch));
    SCZ_RETURN_IF_ERROR(t.download_gradients(&r.gradients));
    SCZ_RETURN_IF_ERROR(t.download_losses(&r.losses, batch));
    return r;
  };
  SCZ_ASSIGN_OR_RETURN(const Run plain, run(FieldTrainer::Mlp::kPlain));
  SCZ_ASSIGN_OR_RETURN(const Run matrix, run(FieldTrainer::Mlp::kCooperativeMatrix));
  MlpPathComparison c;
  auto compare = [&c](const float* a, const float* b, std::size_t n, double* diff, double* largest) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(a[i]) || !std::isfinite(b[i])) {
        ++c.non_finite;
        continue;
      }
      *diff = std::max(*diff, static_cast<double>(std::abs(a[i] - b[i])));
      *largest = std::max(*largest, static_cast<double>(std::abs(a[i])));
    }
  };
  c.batch = static_cast<std::uint32_t>(plain.losses.size());
  const std::size_t hash = model.hash_parameter_count();
  compare(plain.outputs.data(), matrix.outputs.data(), plain.outputs.size(), &c.output_diff, &c.output_max);
  compare(plain.gradients.data(), matrix.gradients.data(), hash, &c.hash_grad_diff, &c.hash_grad_max);
  compare(plain.gradients.data() + hash, matrix.gradients.data() + hash, plain.gradients.size() - hash,
          &c.weight_grad_diff, &c.weight_grad_max);
  const double outputs = static_cast<double>(plain.outputs.size());
  c.loss_plain = std::accumulate(plain.losses.begin(), plain.losses.end(), 0.0) / outputs;
  c.loss_matrix = std::accumulate(matrix.losses.begin(), matrix.losses.end(), 0.0) / outputs;
  return c;
}

Status ColourFieldFitter::download(field::FieldModel* model) const { return trainer_->download_params(&model->params); }

Result<field::ColourFitReport> fit_colour_field_gpu(Context& context, const field::ColourFieldData& data,
                                                    field::ColourTarget target, field::FieldModel* model) {
  const auto start = std::chrono::steady_clock::now();
  SCZ_ASSIGN_OR_RETURN(std::unique_ptr<ColourFieldFitter> fitter,
                       ColourFieldFitter::create(context, data, target, *model));
  SCZ_ASSIGN_OR_RETURN(double loss, fitter->fit());
  SCZ_RETURN_IF_ERROR(fitter->download(model));
  field::ColourFitReport report;
  report.losses.push_back(loss);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

field::FieldEvaluator gpu_field_evaluator(Context& context) {
  struct Cache {
    const field::FieldModel* model = nullptr;
    std::vector<float> params;  // what the trainer holds, to notice a different model at the same address
    std::unique_ptr<FieldTrainer> trainer;
  };
  auto cache = std::make_shared<Cache>();
  return [&context, cache](const field::FieldModel& model, const float* positions, const float* directions,
                           std::size_t count) -> Result<std::vector<float>> {
    if (cache->model != &model || cache->params != model.params) {
      cache->trainer.reset();
      constexpr std::uint32_t kBatch = 1u << 16;
      // Float32 (the plain MLP): decoding gives the colours the C++ reference gives on
      // every device; it evaluates once per Gaussian, so the matrix units would save little.
      SCZ_ASSIGN_OR_RETURN(cache->trainer, FieldTrainer::create(context, model, kBatch, FieldTrainer::Atomics::kAuto,
                                                                FieldTrainer::Mlp::kPlain));
      cache->model = &model;
      cache->params = model.params;
    }
    return cache->trainer->evaluate(positions, directions, count);
  };
}

}  // namespace scenezip::gpu
