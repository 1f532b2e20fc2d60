#include "engine/field/colour_field.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engine/field/field_random.h"
#include "engine/render/camera.h"
#include "engine/render/splat_reference.h"

namespace scenezip::field {

const char* colour_target_name(ColourTarget target) {
  return target == ColourTarget::kFull ? "full" : "view-dependent";
}

void Contraction::apply(const float p[3], float out[3]) const {
  float q[3];
  float norm = 0.0f;
  for (int a = 0; a < 3; ++a) {
    q[a] = (p[a] - centre[a]) / half_extent[a];
    norm = std::max(norm, std::fabs(q[a]));
  }
  const float factor = norm <= 1.0f ? 1.0f : (2.0f - 1.0f / norm) / norm;
  for (int a = 0; a < 3; ++a) out[a] = (q[a] * factor + 2.0f) * 0.25f;
}

Contraction scene_contraction(const GaussianCloud& cloud) {
  const Bounds b = robust_bounds(cloud.positions);
  Contraction c;
  for (int a = 0; a < 3; ++a) {
    c.centre[a] = 0.5f * (b.min[a] + b.max[a]);
    c.half_extent[a] = std::max(0.5f * (b.max[a] - b.min[a]), 1e-6f);
  }
  return c;
}

Result<ColourFieldData> make_colour_field_data(const GaussianCloud& cloud, int orbit_viewpoints) {
  if (cloud.count == 0) return invalid_input("colour field: the scene has no Gaussians");
  SCZ_RETURN_IF_ERROR(cloud.validate());
  ColourFieldData data;
  data.count = cloud.count;
  data.sh_degree = cloud.sh_degree;
  data.contraction = scene_contraction(cloud);
  data.gaussians.resize(cloud.count * 8, 0.0f);
  data.sh.resize(cloud.count * 48, 0.0f);
  const int rest = sh_coeffs_per_channel(cloud.sh_degree) - 1;
  const int stride = cloud.sh_rest_stride();
  for (std::size_t i = 0; i < cloud.count; ++i) {
    const float* p = &cloud.positions[3 * i];
    data.contraction.apply(p, &data.gaussians[8 * i]);
    for (int a = 0; a < 3; ++a) data.gaussians[8 * i + 4 + a] = p[a];
    for (int c = 0; c < 3; ++c) {
      float* dst = &data.sh[48 * i + 16 * c];
      dst[0] = cloud.sh_dc[3 * i + c];
      for (int k = 0; k < rest; ++k) dst[1 + k] = cloud.sh_rest[i * stride + c * rest + k];
    }
  }
  if (orbit_viewpoints > 0) {
    const Bounds bounds = robust_bounds(cloud.positions);
    for (int v = 0; v < orbit_viewpoints; ++v) {
      const Camera camera = orbit_camera(bounds, v, orbit_viewpoints, 64, 64);
      for (int a = 0; a < 3; ++a) data.viewpoints.push_back(static_cast<float>(camera.position[a]));
      data.viewpoints.push_back(0.0f);
    }
  }
  return data;
}

std::size_t sample_colour(const ColourFieldData& data, ColourTarget target, std::uint32_t seed, std::uint32_t step,
                   std::uint32_t batch, std::uint32_t i, float position[3], float direction[3], float colour[3]) {
  const std::uint32_t h0 = pcg_hash(pcg_hash(seed) ^ (step * batch + i));
  const std::uint32_t h1 = pcg_hash(h0);
  const std::uint32_t h2 = pcg_hash(h1);
  const std::size_t g = h0 % static_cast<std::uint32_t>(data.count);
  const float* gaussian = &data.gaussians[8 * g];
  const std::size_t viewpoints = data.viewpoints.size() / 4;
  if (viewpoints > 0) {
    const float* v = &data.viewpoints[4 * (h1 % static_cast<std::uint32_t>(viewpoints))];
    float len = 0.0f;
    for (int a = 0; a < 3; ++a) {
      direction[a] = gaussian[4 + a] - v[a];
      len += direction[a] * direction[a];
    }
    len = std::sqrt(len);
    for (int a = 0; a < 3; ++a) direction[a] = len > 0 ? direction[a] / len : (a == 2 ? 1.0f : 0.0f);
  } else {
    const float z = 1.0f - 2.0f * unit_float(h1);
    const float r = std::sqrt(std::max(0.0f, 1.0f - z * z));
    const float phi = 6.283185307179586f * unit_float(h2);
    direction[0] = r * std::cos(phi);
    direction[1] = r * std::sin(phi);
    direction[2] = z;
  }
  float basis[16];
  sh_basis(direction, data.sh_degree, basis);
  const int coeffs = sh_coeffs_per_channel(data.sh_degree);
  const int first = target == ColourTarget::kViewDependent ? 1 : 0;
  for (int c = 0; c < 3; ++c) {
    float sum = 0.0f;
    for (int k = first; k < coeffs; ++k) sum += basis[k] * data.sh[48 * g + 16 * c + k];
    colour[c] = target == ColourTarget::kViewDependent ? sum : std::max(0.0f, 0.5f + sum);
  }
  for (int a = 0; a < 3; ++a) position[a] = gaussian[a];
  return g;
}

FieldConfig colour_field_config(FieldConfig base, ColourTarget target) {
  base.output_dims = 3;
  base.direction_degree = 3;
  base.output_activation = target == ColourTarget::kFull ? OutputActivation::kSigmoid : OutputActivation::kNone;
  return base;
}

Result<ColourFitReport> fit_colour_field_cpu(const ColourFieldData& data, ColourTarget target, FieldModel* model) {
  const FieldConfig& c = model->config();
  if (c.output_dims != 3 || c.direction_degree < 0) {
    return invalid_input("colour field: the config needs 3 outputs and a direction encoding");
  }
  const auto start = std::chrono::steady_clock::now();
  ColourFitReport report;
  AdamState adam = make_adam(*model);
  const std::uint32_t batch = static_cast<std::uint32_t>(c.batch_size);
  std::vector<float> positions(3 * batch), directions(3 * batch), targets(3 * batch);
  for (int step = 0; step < c.steps; ++step) {
    for (std::uint32_t i = 0; i < batch; ++i) {
      sample_colour(data, target, static_cast<std::uint32_t>(c.seed), static_cast<std::uint32_t>(step), batch, i,
                    &positions[3 * i], &directions[3 * i], &targets[3 * i]);
    }
    const FieldBatch b{positions.data(), directions.data(), batch};
    report.losses.push_back(train_step(model, &adam, b, targets.data()));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

std::array<float, 3> colour_from_field(const ColourFieldData& data, ColourTarget target, std::size_t g,
                                       const float outputs[3]) {
  std::array<float, 3> colour;
  for (int c = 0; c < 3; ++c) {
    colour[c] = target == ColourTarget::kFull
                    ? outputs[c]
                    : std::max(0.0f, activation::dc_to_color(data.sh[48 * g + 16 * c]) + outputs[c]);
  }
  return colour;
}

double colour_field_psnr(const FieldModel& model, const ColourFieldData& data, ColourTarget target,
                         std::uint32_t samples, std::uint32_t seed) {
  std::vector<float> positions(3 * samples), directions(3 * samples), truth(3 * samples);
  std::vector<std::size_t> gaussian(samples);
  for (std::uint32_t i = 0; i < samples; ++i) {
    gaussian[i] = sample_colour(data, ColourTarget::kFull, seed, 0, samples, i, &positions[3 * i],
                                &directions[3 * i], &truth[3 * i]);
  }
  const std::vector<float> outputs = evaluate(model, {positions.data(), directions.data(), samples});
  double sum = 0.0;
  for (std::uint32_t i = 0; i < samples; ++i) {
    const std::array<float, 3> colour = colour_from_field(data, target, gaussian[i], &outputs[3 * i]);
    for (int c = 0; c < 3; ++c) {
      const double d = std::clamp(colour[c], 0.0f, 1.0f) - std::clamp(truth[3 * i + c], 0.0f, 1.0f);
      sum += d * d;
    }
  }
  const double mse = sum / (3.0 * samples);
  return mse > 0 ? 10.0 * std::log10(1.0 / mse) : 100.0;
}

}  // namespace scenezip::field
