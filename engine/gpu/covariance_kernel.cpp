#include "engine/gpu/covariance_kernel.h"

#include <cstring>

#include "engine/gpu/shaders.h"
#include "shaders/shaderio.h"

namespace scenezip::gpu {

Result<CovarianceOutput> compute_covariances(Context& context, const GaussianCloud& cloud, float scale_modifier) {
  namespace io = shaderio;
  const Spirv spirv = covariance_spirv();
  SCZ_ASSIGN_OR_RETURN(ComputePipeline pipeline,
                       context.create_compute_pipeline(spirv.words, spirv.count, io::kCovarianceBindingCount,
                                                       sizeof(io::CovariancePush)));
  const std::size_t n = cloud.count;
  SCZ_ASSIGN_OR_RETURN(Buffer scales, context.upload(cloud.log_scales.data(), n * 3 * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(Buffer rotations, context.upload(cloud.rotations.data(), n * 4 * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(Buffer logits, context.upload(cloud.logit_opacities.data(), n * sizeof(float)));
  SCZ_ASSIGN_OR_RETURN(Buffer covariances, context.create_buffer(n * 6 * sizeof(float), true));
  SCZ_ASSIGN_OR_RETURN(Buffer opacities, context.create_buffer(n * sizeof(float), true));

  const std::uint32_t groups =
      static_cast<std::uint32_t>((n + io::kCovarianceWorkgroupSize - 1) / io::kCovarianceWorkgroupSize);
  std::uint32_t gx = 1, gy = 1;
  context.tile_groups(groups, &gx, &gy);
  io::CovariancePush push{static_cast<std::uint32_t>(n), gx, scale_modifier, 0};
  SCZ_RETURN_IF_ERROR(context.dispatch(pipeline,
                                       {{io::kCovarianceBindingLogScales, &scales},
                                        {io::kCovarianceBindingRotations, &rotations},
                                        {io::kCovarianceBindingLogits, &logits},
                                        {io::kCovarianceBindingCovariance, &covariances},
                                        {io::kCovarianceBindingOpacity, &opacities}},
                                       &push, groups));

  CovarianceOutput out;
  out.covariances.resize(6 * n);
  out.opacities.resize(n);
  std::memcpy(out.covariances.data(), covariances.mapped(), out.covariances.size() * sizeof(float));
  std::memcpy(out.opacities.data(), opacities.mapped(), out.opacities.size() * sizeof(float));
  return out;
}

}  // namespace scenezip::gpu
