#include "formats/splat.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace scenezip {

float logit_from_unorm8(std::uint8_t value) {
  // A quarter step inside [0,1] keeps the logit finite and still rounds back to 0 or 255.
  const float opacity = std::clamp(value / 255.0f, 0.25f / 255.0f, 1.0f - 0.25f / 255.0f);
  return activation::logit(opacity);
}

std::uint8_t unorm8_from_unit(float value) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255.0f));
}

Result<GaussianCloud> decode_splat(const Bytes& bytes) {
  if (bytes.size() % kSplatRecordBytes != 0) {
    return invalid_input(".splat size " + std::to_string(bytes.size()) + " is not a multiple of 32-byte records");
  }
  GaussianCloud cloud;
  cloud.resize(bytes.size() / kSplatRecordBytes, 0);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    const std::uint8_t* r = bytes.data() + i * kSplatRecordBytes;
    float f[6];
    std::memcpy(f, r, sizeof(f));
    for (int k = 0; k < 3; ++k) {
      cloud.positions[3 * i + k] = f[k];
      // A zero or negative scale has no logarithm; the smallest positive float stands in.
      cloud.log_scales[3 * i + k] = std::log(std::max(f[3 + k], 1e-30f));
      cloud.sh_dc[3 * i + k] = activation::color_to_dc(r[24 + k] / 255.0f);
    }
    cloud.logit_opacities[i] = logit_from_unorm8(r[27]);
    for (int k = 0; k < 4; ++k) cloud.rotations[4 * i + k] = (static_cast<float>(r[28 + k]) - 128.0f) / 128.0f;
  }
  SCZ_RETURN_IF_ERROR(cloud.validate());
  cloud.normalize_rotations();
  return cloud;
}

Bytes encode_splat(const GaussianCloud& cloud) {
  Bytes out(cloud.count * kSplatRecordBytes);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    std::uint8_t* r = out.data() + i * kSplatRecordBytes;
    float f[6];
    for (int k = 0; k < 3; ++k) {
      f[k] = cloud.positions[3 * i + k];
      f[3 + k] = activation::scale(cloud.log_scales[3 * i + k]);
      r[24 + k] = unorm8_from_unit(activation::dc_to_color(cloud.sh_dc[3 * i + k]));
    }
    std::memcpy(r, f, sizeof(f));
    r[27] = unorm8_from_unit(activation::opacity(cloud.logit_opacities[i]));
    const float* q = &cloud.rotations[4 * i];
    const float len = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    for (int k = 0; k < 4; ++k) {
      const float v = len > 0 ? q[k] / len : (k == 0 ? 1.0f : 0.0f);
      r[28 + k] = static_cast<std::uint8_t>(std::clamp(std::lround(v * 128.0f + 128.0f), 0L, 255L));
    }
  }
  return out;
}

}  // namespace scenezip
