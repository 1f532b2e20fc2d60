#include "engine/gpu/shaders.h"

namespace scenezip::gpu {

namespace {
const std::uint32_t kCovariance[] =
#include "shaders/covariance.comp.spv.inc"
    ;
}  // namespace

Spirv covariance_spirv() { return {kCovariance, sizeof(kCovariance) / sizeof(kCovariance[0])}; }

}  // namespace scenezip::gpu
