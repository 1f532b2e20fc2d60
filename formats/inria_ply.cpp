#include "formats/inria_ply.h"

#include <cmath>
#include <cstring>
#include <string>

namespace scenezip {

namespace {
constexpr float kLogitLimit = 20.0f;    // sigmoid(20) = 1 - 2e-9
constexpr float kMinLogScale = -30.0f;  // exp(-30) ~ 1e-13: nothing renders smaller
const char* const kRequired[] = {"x",       "y",       "z",       "f_dc_0", "f_dc_1", "f_dc_2", "opacity",
                                 "scale_0", "scale_1", "scale_2", "rot_0",  "rot_1",  "rot_2",  "rot_3"};

// SH degree from the number of f_rest_* properties, or -1 when it matches no degree.
int degree_from_rest_count(int rest) {
  for (int d = 0; d <= kMaxShDegree; ++d) {
    if (sh_rest_per_gaussian(d) == rest) return d;
  }
  return -1;
}
}  // namespace

bool is_inria_gaussian_ply(const ply::File& header) {
  const ply::Element* vertex = header.find("vertex");
  return vertex && vertex->find("f_dc_0") && vertex->find("opacity") && vertex->find("scale_0") && !header.find("chunk");
}

Result<GaussianCloud> decode_inria_ply(const ply::File& file) {
  const ply::Element* vertex = file.find("vertex");
  if (!vertex) return invalid_input("PLY has no 'vertex' element");
  std::vector<const ply::Property*> required;
  for (const char* name : kRequired) {
    const ply::Property* p = vertex->find(name);
    if (!p || p->is_list) return invalid_input(std::string("Gaussian PLY lacks property '") + name + "'");
    required.push_back(p);
  }
  int rest_count = 0;
  while (vertex->find("f_rest_" + std::to_string(rest_count))) ++rest_count;
  const int degree = degree_from_rest_count(rest_count);
  if (degree < 0) {
    return invalid_input("Gaussian PLY has " + std::to_string(rest_count) +
                         " f_rest properties, which matches no SH degree 0..3 (expected 0, 9, 24 or 45)");
  }
  std::vector<const ply::Property*> rest;
  for (int k = 0; k < rest_count; ++k) rest.push_back(vertex->find("f_rest_" + std::to_string(k)));

  GaussianCloud cloud;
  cloud.resize(vertex->count, degree);
  const std::size_t stride = cloud.sh_rest_stride();
  for (std::size_t i = 0; i < cloud.count; ++i) {
    auto v = [&](int k) { return ply::get<float>(*vertex, i, *required[k]); };
    for (int k = 0; k < 3; ++k) {
      cloud.positions[3 * i + k] = v(k);
      cloud.sh_dc[3 * i + k] = v(3 + k);
      cloud.log_scales[3 * i + k] = v(7 + k);
    }
    cloud.logit_opacities[i] = v(6);
    for (int k = 0; k < 4; ++k) cloud.rotations[4 * i + k] = v(10 + k);
    for (std::size_t k = 0; k < stride; ++k) cloud.sh_rest[stride * i + k] = ply::get<float>(*vertex, i, *rest[k]);
  }
  // Some converters write an opacity of exactly 1 (or 0) as an infinite logit, and a
  // zero scale as an infinite negative log: both are meaningful limits, so they are
  // clamped to finite stand-ins. NaN stays an error (validate reports it).
  for (float& logit : cloud.logit_opacities) {
    if (std::isinf(logit)) logit = logit > 0 ? kLogitLimit : -kLogitLimit;
  }
  for (float& log_scale : cloud.log_scales) {
    if (std::isinf(log_scale) && log_scale < 0) log_scale = kMinLogScale;
  }
  SCZ_RETURN_IF_ERROR(cloud.validate());
  cloud.normalize_rotations();
  return cloud;
}

Bytes encode_inria_ply(const GaussianCloud& cloud) {
  ply::File file;
  ply::Element vertex;
  vertex.name = "vertex";
  vertex.count = cloud.count;
  auto add = [&](const std::string& name) { vertex.properties.push_back({name, ply::Type::kFloat32}); };
  for (const char* n : {"x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"}) add(n);
  const int stride = cloud.sh_rest_stride();
  for (int k = 0; k < stride; ++k) add("f_rest_" + std::to_string(k));
  for (const char* n : {"opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"}) add(n);
  ply::layout(vertex);
  const std::size_t floats_per_row = vertex.row_size / 4;
  std::vector<float> row(floats_per_row);
  vertex.rows.resize(vertex.row_size * cloud.count);
  for (std::size_t i = 0; i < cloud.count; ++i) {
    float* r = row.data();
    for (int k = 0; k < 3; ++k) *r++ = cloud.positions[3 * i + k];
    for (int k = 0; k < 3; ++k) *r++ = 0.0f;  // normals: unused by renderers, kept for compatibility
    for (int k = 0; k < 3; ++k) *r++ = cloud.sh_dc[3 * i + k];
    for (int k = 0; k < stride; ++k) *r++ = cloud.sh_rest[static_cast<std::size_t>(stride) * i + k];
    *r++ = cloud.logit_opacities[i];
    for (int k = 0; k < 3; ++k) *r++ = cloud.log_scales[3 * i + k];
    for (int k = 0; k < 4; ++k) *r++ = cloud.rotations[4 * i + k];
    std::memcpy(vertex.rows.data() + i * vertex.row_size, row.data(), vertex.row_size);
  }
  file.elements.push_back(std::move(vertex));
  return ply::serialize(file);
}

}  // namespace scenezip
