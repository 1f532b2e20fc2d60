#include "tools/encoder_devices.h"

#include <cstdio>

#include "engine/gpu/kmeans_kernel.h"
#include "engine/gpu/splat_importance.h"

namespace scenezip::cli {

Result<EncoderGpu> choose_encoder_gpu(const std::string& device, const codec::GaussianCodecSettings& settings,
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

}  // namespace scenezip::cli
