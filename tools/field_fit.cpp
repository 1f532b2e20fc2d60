// `scenezip field-fit SCENE`: fits a hash-grid colour field to a Gaussian scene's own
// colours and reports the PSNR of the colours it gives, the fit time and (on the GPU)
// the training step's time from timestamps, with the configuration printed back.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/field/colour_field.h"
#include "engine/field/colour_field_codec.h"
#include "engine/gpu/colour_field_kernel.h"
#include "tools/command.h"

namespace scenezip::cli {

namespace {

struct FieldFitOptions {
  std::string scene;
  std::string config;  // JSON text, or @file
  std::string target = "full";
  std::string device = "gpu";
  int viewpoints = 64;
  int timed_steps = 0;
  int profiled_steps = 0;
  std::string mlp = "auto";
  bool compare_paths = false;
  int psnr_samples = 200000;
  bool json = false;
};

nlohmann::ordered_json comparison_json(const gpu::MlpPathComparison& c) {
  nlohmann::ordered_json j;
  j["batch"] = c.batch;
  j["output_max_abs_diff"] = c.output_diff;
  j["output_max_abs"] = c.output_max;
  j["weight_grad_max_abs_diff"] = c.weight_grad_diff;
  j["weight_grad_max_abs"] = c.weight_grad_max;
  j["hash_grad_max_abs_diff"] = c.hash_grad_diff;
  j["hash_grad_max_abs"] = c.hash_grad_max;
  j["loss_plain"] = c.loss_plain;
  j["loss_matrix"] = c.loss_matrix;
  j["non_finite"] = c.non_finite;
  return j;
}

Status run_field_fit(const FieldFitOptions& o) {
  field::ColourTarget target;
  if (o.target == "full") {
    target = field::ColourTarget::kFull;
  } else if (o.target == "view") {
    target = field::ColourTarget::kViewDependent;
  } else {
    return invalid_input("--target must be full or view");
  }
  if (o.device != "gpu" && o.device != "cpu") return invalid_input("--device must be gpu or cpu");
  if (o.viewpoints < 0 || o.viewpoints > 4096) return invalid_input("--viewpoints must be in 0..4096");
  if (o.timed_steps < 0 || o.timed_steps > 100000) return invalid_input("--time-steps must be in 0..100000");
  if (o.profiled_steps < 0 || o.profiled_steps > 1000) return invalid_input("--profile-steps must be in 0..1000");
  gpu::FieldTrainer::Mlp mlp = gpu::FieldTrainer::Mlp::kAuto;
  if (o.mlp == "plain") {
    mlp = gpu::FieldTrainer::Mlp::kPlain;
  } else if (o.mlp == "matrix") {
    mlp = gpu::FieldTrainer::Mlp::kCooperativeMatrix;
  } else if (o.mlp != "auto") {
    return invalid_input("--mlp must be auto, plain or matrix");
  }
  if (o.psnr_samples < 1 || o.psnr_samples > 100000000) return invalid_input("--psnr-samples must be in 1..1e8");
  SCZ_ASSIGN_OR_RETURN(const std::string text, settings_text(o.config));
  Result<field::FieldConfig> parsed = field::parse_field_config(text);
  if (!parsed.ok()) return parsed.status();
  const field::FieldConfig config = field::colour_field_config(*parsed, target);
  SCZ_RETURN_IF_ERROR(config.validate());

  Result<Scene> loaded = load_with_progress(o.scene);
  if (!loaded.ok()) return loaded.status();
  const GaussianCloud* cloud = loaded->gaussians();
  if (!cloud) return invalid_input(o.scene + ": field-fit needs a Gaussian scene");
  Result<field::ColourFieldData> data = field::make_colour_field_data(*cloud, o.viewpoints);
  if (!data.ok()) return data.status().with_context(o.scene);
  SCZ_ASSIGN_OR_RETURN(field::FieldModel model, field::FieldModel::create(config));

  nlohmann::ordered_json j;
  j["scene"] = o.scene;
  j["gaussians"] = cloud->count;
  j["target"] = field::colour_target_name(target);
  j["viewpoints"] = o.viewpoints;
  j["config"] = nlohmann::json::parse(field::field_config_json(config));
  j["parameters"] = model.parameter_count();
  double seconds = 0;
  if (o.device == "gpu") {
    SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
    j["device"] = context->device_name();
    if (o.compare_paths) {
      // Before the fit (the initial parameters) and after it (below): the hash features
      // start near zero, where float16 behaves unlike on a trained field.
      SCZ_ASSIGN_OR_RETURN(const gpu::MlpPathComparison c, gpu::compare_mlp_paths(*context, *data, target, model));
      j["compare_paths_initial"] = comparison_json(c);
    }
    SCZ_ASSIGN_OR_RETURN(auto fitter, gpu::ColourFieldFitter::create(*context, *data, target, model,
                                                                      gpu::FieldTrainer::Atomics::kAuto, mlp));
    j["float_atomics"] = fitter->trainer().float_atomics();
    j["mlp"] = fitter->trainer().cooperative_matrix() ? "matrix (VK_NV_cooperative_matrix, float16)" : "plain (float32)";
    {
      Progress progress("fitting " + std::to_string(config.steps) + " steps on " + context->device_name());
      const auto start = std::chrono::steady_clock::now();
      SCZ_ASSIGN_OR_RETURN(const double loss, fitter->fit());
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      j["last_loss"] = loss;
    }
    SCZ_RETURN_IF_ERROR(fitter->download(&model));
    if (o.timed_steps > 0) {
      SCZ_ASSIGN_OR_RETURN(const std::vector<double> ms, fitter->timed_steps(o.timed_steps));
      const double step_ms = median(ms);
      j["step_ms_median"] = step_ms;
      j["timed_steps"] = o.timed_steps;
      j["samples_per_second"] = step_ms > 0 ? config.batch_size / (step_ms * 1e-3) : 0.0;
    }
    if (o.profiled_steps > 0) {
      SCZ_ASSIGN_OR_RETURN(const auto kernels, fitter->profile_steps(o.profiled_steps));
      nlohmann::ordered_json profile;
      for (const auto& [name, ms] : kernels) profile[name] = ms;
      j["kernel_ms_median"] = profile;
      j["profiled_steps"] = o.profiled_steps;
    }
    if (o.compare_paths) {
      SCZ_ASSIGN_OR_RETURN(const gpu::MlpPathComparison c, gpu::compare_mlp_paths(*context, *data, target, model));
      j["compare_paths_trained"] = comparison_json(c);
    }
  } else {
    j["device"] = "cpu reference";
    Progress progress("fitting " + std::to_string(config.steps) + " steps on the CPU");
    SCZ_ASSIGN_OR_RETURN(const field::ColourFitReport report, field::fit_colour_field_cpu(*data, target, &model));
    seconds = report.seconds;
    if (!report.losses.empty()) j["last_loss"] = report.losses.back();
  }
  j["fit_seconds"] = seconds;
  j["psnr"] = field::colour_field_psnr(model, *data, target, static_cast<std::uint32_t>(o.psnr_samples), 12345);
  j["psnr_samples"] = o.psnr_samples;
  // The field as stored: untouched entries dropped, 8-bit features, float16 weights, zstd.
  SCZ_ASSIGN_OR_RETURN(const scz::ColourFieldStreams stored,
                       field::store_colour_field(model, target, data->contraction, cloud->positions));
  SCZ_ASSIGN_OR_RETURN(const std::size_t stored_bytes, field::colour_field_file_bytes(stored));
  SCZ_ASSIGN_OR_RETURN(const field::DecodedColourField decoded, field::load_colour_field(stored, cloud->positions));
  j["field_bytes"] = stored_bytes;
  j["psnr_stored"] =
      field::colour_field_psnr(decoded.model, *data, target, static_cast<std::uint32_t>(o.psnr_samples), 12345);
  if (target == field::ColourTarget::kViewDependent) {
    j["dc_bytes_float16"] = cloud->count * 3 * 2;  // what keeping the DC per Gaussian costs before entropy coding
  }
  std::printf("%s\n", o.json ? j.dump().c_str() : j.dump(2).c_str());
  return Status::Ok();
}

}  // namespace

void add_field_fit(CLI::App& app, Runner& run) {
  auto o = std::make_shared<FieldFitOptions>();
  CLI::App* cmd = app.add_subcommand(
      "field-fit", "Fit a hash-grid colour field to a Gaussian scene's own SH colours; print the settings, the "
                   "colours' PSNR, the fit time and (with --time-steps) GPU time per training step.");
  cmd->add_option("scene", o->scene, "Gaussian scene")->required();
  cmd->add_option("--config", o->config, "Field settings as JSON text or @file (any subset; defaults otherwise)");
  cmd->add_option("--target", o->target, "full: the field gives all of the colour; view: only SH bands 1-3, the DC "
                                         "kept per Gaussian (default full)");
  cmd->add_option("--device", o->device, "gpu (Vulkan) or cpu (the C++ reference) (default gpu)");
  cmd->add_option("--viewpoints", o->viewpoints, "Orbit viewpoints directions come from; 0: uniform (default 64)");
  cmd->add_option("--time-steps", o->timed_steps, "After the fit, time this many steps with GPU timestamps");
  cmd->add_option("--profile-steps", o->profiled_steps,
                  "After the fit, time every kernel of this many steps with GPU timestamps (median per kernel)");
  cmd->add_option("--mlp", o->mlp, "auto: the matrix units (float16) where the device has them, else plain "
                                   "float32; plain; matrix (error where unsupported) (default auto)");
  cmd->add_flag("--compare-paths", o->compare_paths,
                "Run one batch through the matrix-unit and the plain MLP, before and after the fit, and print the "
                "largest differences of outputs and gradients");
  cmd->add_option("--psnr-samples", o->psnr_samples, "(Gaussian, direction) samples of the PSNR (default 200000)");
  cmd->add_flag("--json", o->json, "Print one line of JSON");
  cmd->callback([o, &run] { run = [o] { return run_field_fit(*o); }; });
}

}  // namespace scenezip::cli
