// The one place where C++ and GLSL agree on binding numbers, workgroup sizes and
// push-constant layouts. Included by shaders (GLSL) and by engine/gpu (C++).
#ifndef SCENEZIP_SHADERIO_H
#define SCENEZIP_SHADERIO_H

#ifdef __cplusplus
#include <cstdint>
namespace scenezip::shaderio {
using uint = std::uint32_t;
#define SCZ_CONST inline constexpr uint
#else
#define SCZ_CONST const uint
#endif

// --- covariance.comp: 3D covariance and opacity from stored Gaussian parameters ------
SCZ_CONST kCovarianceWorkgroupSize = 256;
SCZ_CONST kCovarianceBindingLogScales = 0;   // float[3N]
SCZ_CONST kCovarianceBindingRotations = 1;   // float[4N], w x y z
SCZ_CONST kCovarianceBindingLogits = 2;      // float[N]
SCZ_CONST kCovarianceBindingCovariance = 3;  // float[6N]: xx xy xz yy yz zz
SCZ_CONST kCovarianceBindingOpacity = 4;     // float[N]
SCZ_CONST kCovarianceBindingCount = 5;

struct CovariancePush {
  uint count;        // Gaussians to process
  uint groups_x;     // workgroups along x; dispatches tile in 2D past 65,535 groups
  float scale_modifier;
  uint pad0;
};

#ifdef __cplusplus
}  // namespace scenezip::shaderio
#endif
#undef SCZ_CONST
#endif  // SCENEZIP_SHADERIO_H
