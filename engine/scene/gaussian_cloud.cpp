#include "engine/scene/gaussian_cloud.h"

#include <algorithm>
#include <limits>
#include <string>

namespace scenezip {

void GaussianCloud::resize(std::size_t n, int degree) {
  count = n;
  sh_degree = degree;
  positions.assign(3 * n, 0.0f);
  log_scales.assign(3 * n, 0.0f);
  rotations.assign(4 * n, 0.0f);
  logit_opacities.assign(n, 0.0f);
  sh_dc.assign(3 * n, 0.0f);
  sh_rest.assign(static_cast<std::size_t>(sh_rest_per_gaussian(degree)) * n, 0.0f);
}

namespace {
Status check_array(const char* name, const std::vector<float>& values, std::size_t expected) {
  if (values.size() != expected) {
    return internal_error(std::string("array ") + name + " holds " + std::to_string(values.size()) +
                          " values, expected " + std::to_string(expected));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return invalid_input(std::string("non-finite ") + name + " value at index " + std::to_string(i));
    }
  }
  return Status::Ok();
}
}  // namespace

Status GaussianCloud::validate() const {
  if (sh_degree < 0 || sh_degree > kMaxShDegree) {
    return invalid_input("SH degree " + std::to_string(sh_degree) + " is outside 0..3");
  }
  const std::size_t n = count;
  SCZ_RETURN_IF_ERROR(check_array("position", positions, 3 * n));
  SCZ_RETURN_IF_ERROR(check_array("scale", log_scales, 3 * n));
  SCZ_RETURN_IF_ERROR(check_array("rotation", rotations, 4 * n));
  SCZ_RETURN_IF_ERROR(check_array("opacity", logit_opacities, n));
  SCZ_RETURN_IF_ERROR(check_array("SH DC", sh_dc, 3 * n));
  SCZ_RETURN_IF_ERROR(check_array("SH rest", sh_rest, static_cast<std::size_t>(sh_rest_stride()) * n));
  return Status::Ok();
}

void GaussianCloud::normalize_rotations() {
  for (std::size_t i = 0; i < count; ++i) {
    float* q = &rotations[4 * i];
    const float len = std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
    if (len > 0.0f && std::isfinite(len)) {
      for (int k = 0; k < 4; ++k) q[k] /= len;
    } else {
      q[0] = 1.0f;
      q[1] = q[2] = q[3] = 0.0f;
    }
  }
}

void GaussianCloud::copy_from(const GaussianCloud& src, std::size_t s, std::size_t d) {
  std::copy_n(&src.positions[3 * s], 3, &positions[3 * d]);
  std::copy_n(&src.log_scales[3 * s], 3, &log_scales[3 * d]);
  std::copy_n(&src.rotations[4 * s], 4, &rotations[4 * d]);
  logit_opacities[d] = src.logit_opacities[s];
  std::copy_n(&src.sh_dc[3 * s], 3, &sh_dc[3 * d]);
  const int stride = sh_rest_stride();
  if (stride > 0) std::copy_n(&src.sh_rest[stride * s], stride, &sh_rest[stride * d]);
}

void GaussianCloud::set_sh_degree(int degree) {
  if (degree == sh_degree) return;
  const int old_per_channel = sh_coeffs_per_channel(sh_degree) - 1;
  const int new_per_channel = sh_coeffs_per_channel(degree) - 1;
  const int keep = std::min(old_per_channel, new_per_channel);
  std::vector<float> rest(static_cast<std::size_t>(3 * new_per_channel) * count, 0.0f);
  for (std::size_t i = 0; i < count; ++i) {
    for (int c = 0; c < 3; ++c) {
      for (int k = 0; k < keep; ++k) {
        rest[(3 * i + c) * new_per_channel + k] = sh_rest[(3 * i + c) * old_per_channel + k];
      }
    }
  }
  sh_rest = std::move(rest);
  sh_degree = degree;
}

Bounds compute_bounds(const std::vector<float>& xyz) {
  Bounds b;
  if (xyz.size() < 3) return b;
  for (int k = 0; k < 3; ++k) {
    b.min[k] = std::numeric_limits<float>::infinity();
    b.max[k] = -std::numeric_limits<float>::infinity();
  }
  for (std::size_t i = 0; i + 2 < xyz.size(); i += 3) {
    for (int k = 0; k < 3; ++k) {
      if (!std::isfinite(xyz[i + k])) continue;
      b.min[k] = std::min(b.min[k], xyz[i + k]);
      b.max[k] = std::max(b.max[k], xyz[i + k]);
    }
  }
  for (int k = 0; k < 3; ++k) {
    if (b.min[k] > b.max[k]) b.min[k] = b.max[k] = 0.0f;
  }
  return b;
}

}  // namespace scenezip
