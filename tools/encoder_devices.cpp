#include "tools/encoder_devices.h"

#include <cstdio>

#include "engine/field/colour_field_codec.h"
#include "engine/gpu/colour_field_kernel.h"
#include "engine/gpu/kmeans_kernel.h"
#include "engine/gpu/splat_importance.h"

namespace scenezip::cli {

namespace {

// A colour field fits on the GPU when there is one, else on the C++ reference (slow:
// small scenes only).
void use_colour_field_fitter(gpu::Context* context, codec::EncoderAccelerators* accelerators) {
  accelerators->fit_colour_field = [context](const GaussianCloud& cloud, const codec::GaussianCodecSettings& s) {
    const field::ColourTarget target =
        s.colour == "field-full" ? field::ColourTarget::kFull : field::ColourTarget::kViewDependent;
    field::ColourFitFunction fit = field::fit_colour_field_cpu;
    if (context) {
      fit = [context](const field::ColourFieldData& data, field::ColourTarget t, field::FieldModel* model) {
        return gpu::fit_colour_field_gpu(*context, data, t, model);
      };
    }
    return field::fit_and_store_colour_field(cloud, target, s.colour_field, fit);
  };
}

Result<EncoderGpu> choose_without_fitter(const std::string& device, const codec::GaussianCodecSettings& settings,
                                         bool want_importance);

}  // namespace

Result<EncoderGpu> choose_encoder_gpu(const std::string& device, const codec::GaussianCodecSettings& settings,
                                      bool want_importance) {
  SCZ_ASSIGN_OR_RETURN(EncoderGpu chosen, choose_without_fitter(device, settings, want_importance));
  use_colour_field_fitter(chosen.context.get(), &chosen.accelerators);
  return chosen;
}

namespace {

Result<EncoderGpu> choose_without_fitter(const std::string& device, const codec::GaussianCodecSettings& settings,
                                         bool want_importance) {
  EncoderGpu chosen;
  if (device == "cpu") return chosen;
  auto context = gpu::Context::create();
  if (!context.ok()) {
    if (device == "auto") {
      std::fprintf(stderr, "scenezip: note: %s; k-means runs on the CPU\n", context.status().message().c_str());
      return chosen;
    }
    return context.status().with_context("--device gpu");
  }
  if (device == "auto" && (*context)->cpu_driver()) return chosen;
  SCZ_RETURN_IF_ERROR(gpu::use_gpu_kmeans(**context, &chosen.accelerators).with_context("--device " + device));
  chosen.context = std::move(*context);
  chosen.devices.kmeans_kind = "gpu";
  chosen.devices.kmeans_name = chosen.context->device_name();
  if (settings.importance_source == "views" && want_importance) {
    gpu::Context* gpu_context = chosen.context.get();
    chosen.accelerators.blend_weights = [gpu_context](const GaussianCloud& c, const std::vector<Camera>& views) {
      return gpu::blend_weights_gpu(*gpu_context, c, views);
    };
    chosen.devices.importance_name = gpu_context->device_name();
  }
  return chosen;
}

}  // namespace

}  // namespace scenezip::cli
