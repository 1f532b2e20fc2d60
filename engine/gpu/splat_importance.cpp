#include "engine/gpu/splat_importance.h"

#include <cstdint>

#include "engine/gpu/splat_renderer.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

Result<std::vector<float>> blend_weights_gpu(Context& context, const GaussianCloud& cloud,
                                             const std::vector<Camera>& cameras) {
  const std::size_t n = cloud.count;
  std::vector<float> out(n, 0.0f);
  if (n == 0 || cameras.empty()) return out;
  // Each pixel adds at most 0.99 * scale to one Gaussian's 64-bit sum.
  double pixels = 0;
  for (const Camera& c : cameras) pixels += static_cast<double>(c.width) * c.height;
  if (pixels * shaderio::kImportanceFixedScale >= 1.8e19) {
    return invalid_input("importance views hold too many pixels for the GPU's 64-bit sums");
  }
  SCZ_ASSIGN_OR_RETURN(auto renderer, SplatRenderer::create(context, cloud));
  const std::vector<std::uint32_t> zeros(2 * n, 0u);
  SCZ_ASSIGN_OR_RETURN(Buffer sums, context.upload_device(zeros.data(), zeros.size() * sizeof(std::uint32_t)));
  for (const Camera& camera : cameras) SCZ_RETURN_IF_ERROR(renderer->accumulate_blend_weights(camera, sums));
  std::vector<std::uint32_t> words(2 * n);
  SCZ_RETURN_IF_ERROR(context.download(sums, words.data(), words.size() * sizeof(std::uint32_t)));
  const double unit = 1.0 / shaderio::kImportanceFixedScale;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t fixed = (std::uint64_t{words[2 * i + 1]} << 32) | words[2 * i];
    out[i] = static_cast<float>(static_cast<double>(fixed) * unit);
  }
  return out;
}

}  // namespace scenezip::gpu
