#include "engine/field/nerf.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/field/field_random.h"
#include "shaders/shaderio.h"

namespace scenezip::field {

namespace {

Status range(const char* name, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) {
    return invalid_input(std::string("radiance field setting ") + name + " must be in " + std::to_string(lo) + ".." +
                         std::to_string(hi));
  }
  return Status::Ok();
}

float step_at(const NerfSettings& s, float t) { return std::clamp(t * s.cone, s.min_step, s.max_step); }

}  // namespace

Status NerfSettings::validate() const {
  for (float c : box_centre) SCZ_RETURN_IF_ERROR(range("box_centre", c, -1e6, 1e6));
  SCZ_RETURN_IF_ERROR(range("box_size", box_size, 1e-6, 1e6));
  SCZ_RETURN_IF_ERROR(range("grid_resolution", grid_resolution, 1, 512));
  SCZ_RETURN_IF_ERROR(range("density_threshold", density_threshold, 0, 1e6));
  SCZ_RETURN_IF_ERROR(range("min_step", min_step, 1e-6, 1));
  SCZ_RETURN_IF_ERROR(range("max_step", max_step, min_step, 1));
  SCZ_RETURN_IF_ERROR(range("cone", cone, 0, 1));
  SCZ_RETURN_IF_ERROR(range("max_samples", max_samples, 1, shaderio::kNerfMaxSamplesPerRay));
  for (float c : background) SCZ_RETURN_IF_ERROR(range("background", c, 0, 1));
  return Status::Ok();
}

NerfSettings nerf_settings_for_scale(float aabb_scale) {
  NerfSettings s;
  const float scale = std::max(1.0f, aabb_scale);
  s.box_size = 3.0f * scale;
  // Instant-NGP steps sqrt(3)/1024 of its unit cube near the camera; our unit cube is the
  // whole box, so the smallest step shrinks with the scale. Past it steps grow with
  // distance (cone 1/256) up to a grid cell.
  s.min_step = 1.7320508f / 1024 / scale;
  s.max_step = scale > 1 ? 1.7320508f / s.grid_resolution : s.min_step;
  s.cone = scale > 1 ? 1.0f / 256 : 0.0f;
  s.density_threshold = 0.01f / s.min_step;
  return s;
}

FieldConfig nerf_field_config(float aabb_scale) {
  FieldConfig c;
  c.levels = 16;
  c.log2_table_size = 19;
  c.features = 2;
  c.base_resolution = 16;
  const double finest = 2048.0 * std::max(1.0f, aabb_scale);
  c.per_level_scale = static_cast<float>(std::exp(std::log(finest / c.base_resolution) / (c.levels - 1)));
  c.direction_degree = 3;
  c.hidden_width = 64;
  c.hidden_layers = 2;
  c.output_dims = static_cast<int>(shaderio::kNerfOutputs);
  c.output_activation = OutputActivation::kNone;
  c.learning_rate = 1e-2f;
  c.beta1 = 0.9f;
  c.beta2 = 0.99f;
  c.epsilon = 1e-15f;
  c.batch_size = 1 << 18;
  return c;
}

std::string nerf_settings_json(const NerfSettings& s) {
  nlohmann::ordered_json j;
  j["box_centre"] = s.box_centre;
  j["box_size"] = s.box_size;
  j["grid_resolution"] = s.grid_resolution;
  j["density_threshold"] = s.density_threshold;
  j["min_step"] = s.min_step;
  j["max_step"] = s.max_step;
  j["cone"] = s.cone;
  j["max_samples"] = s.max_samples;
  j["background"] = s.background;
  return j.dump();
}

Result<NerfSettings> parse_nerf_settings(const std::string& json_text) {
  NerfSettings s;
  try {
    const nlohmann::json j = nlohmann::json::parse(json_text);
    if (!j.is_object()) return invalid_input("radiance field settings are not a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& k = it.key();
      if (k == "box_centre") {
        s.box_centre = it->get<std::array<float, 3>>();
      } else if (k == "box_size") {
        s.box_size = it->get<float>();
      } else if (k == "grid_resolution") {
        s.grid_resolution = it->get<int>();
      } else if (k == "density_threshold") {
        s.density_threshold = it->get<float>();
      } else if (k == "min_step") {
        s.min_step = it->get<float>();
      } else if (k == "max_step") {
        s.max_step = it->get<float>();
      } else if (k == "cone") {
        s.cone = it->get<float>();
      } else if (k == "max_samples") {
        s.max_samples = it->get<int>();
      } else if (k == "background") {
        s.background = it->get<std::array<float, 3>>();
      } else {
        return invalid_input("unknown radiance field setting " + k.substr(0, 40));
      }
    }
  } catch (const std::exception& e) {
    return invalid_input(std::string("radiance field settings: ") + e.what());
  }
  SCZ_RETURN_IF_ERROR(s.validate());
  return s;
}

std::array<float, 16> nerf_camera_rows(const Camera& camera, const NerfSettings& s) {
  // camera.rotation is world-to-camera (row-major); its transpose takes camera axes to
  // the world. The origin moves into the unit cube; directions keep their orientation.
  std::array<float, 16> rows{};
  for (int a = 0; a < 3; ++a) {
    for (int k = 0; k < 3; ++k) rows[4 * a + k] = static_cast<float>(camera.rotation[3 * k + a]);
    const double lo = s.box_centre[a] - 0.5 * s.box_size;
    rows[4 * a + 3] = static_cast<float>((camera.position[a] - lo) / s.box_size);
  }
  rows[12] = static_cast<float>(camera.fx);
  rows[13] = static_cast<float>(camera.fy);
  rows[14] = static_cast<float>(camera.cx);
  rows[15] = static_cast<float>(camera.cy);
  return rows;
}

void nerf_pixel_ray(const std::array<float, 16>& r, float px, float py, float origin[3], float direction[3]) {
  const float c[3] = {(px - r[14]) / r[12], (py - r[15]) / r[13], 1.0f};
  float d[3];
  for (int a = 0; a < 3; ++a) d[a] = r[4 * a] * c[0] + r[4 * a + 1] * c[1] + r[4 * a + 2] * c[2];
  const float inv = 1.0f / std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  for (int a = 0; a < 3; ++a) {
    direction[a] = d[a] * inv;
    origin[a] = r[4 * a + 3];
  }
}

bool nerf_ray_box(const float o[3], const float d[3], float* t_near, float* t_far) {
  float lo = 0.0f, hi = std::numeric_limits<float>::infinity();
  for (int a = 0; a < 3; ++a) {
    if (d[a] == 0.0f) {
      // Parallel to this slab: inside it everywhere or nowhere.
      if (o[a] < 0.0f || o[a] > 1.0f) return false;
      continue;
    }
    const float inv = 1.0f / d[a];
    const float t0 = (0.0f - o[a]) * inv, t1 = (1.0f - o[a]) * inv;
    lo = std::max(lo, std::min(t0, t1));
    hi = std::min(hi, std::max(t0, t1));
  }
  *t_near = lo;
  *t_far = hi;
  return lo < hi;
}

RaySamples nerf_march(const NerfSettings& s, const std::vector<float>& grid, const float o[3], const float d[3],
                      float jitter) {
  RaySamples out;
  float t_near = 0, t_far = 0;
  if (!nerf_ray_box(o, d, &t_near, &t_far)) return out;
  const int g = s.grid_resolution;
  const float gf = static_cast<float>(g);
  float t = t_near + jitter * step_at(s, t_near);
  while (t < t_far && static_cast<int>(out.count()) < s.max_samples) {
    const float step = step_at(s, t);
    float p[3];
    int cell[3];
    for (int a = 0; a < 3; ++a) {
      p[a] = std::clamp(o[a] + t * d[a], 0.0f, 1.0f);
      cell[a] = std::min(static_cast<int>(p[a] * gf), g - 1);
    }
    const std::size_t index = static_cast<std::size_t>(cell[0]) + g * (cell[1] + static_cast<std::size_t>(g) * cell[2]);
    if (grid[index] > s.density_threshold) {
      out.positions.insert(out.positions.end(), p, p + 3);
      out.steps.push_back(step);
      t += step;
    } else {
      // Skip the empty cell, staying on the ray's lattice of steps.
      float t_exit = std::numeric_limits<float>::infinity();
      for (int a = 0; a < 3; ++a) {
        if (d[a] == 0.0f) continue;
        const float boundary = static_cast<float>(cell[a] + (d[a] > 0.0f ? 1 : 0)) / gf;
        t_exit = std::min(t_exit, (boundary - o[a]) / d[a]);
      }
      t += std::ceil(std::max((t_exit - t) / step, 0.5f)) * step;
    }
  }
  return out;
}

namespace {
constexpr std::size_t kOut = shaderio::kNerfOutputs;
constexpr float kMinTransmittance = 1e-4f;
}  // namespace

std::array<float, 3> nerf_training_background(std::uint32_t seed, std::uint32_t step, std::uint32_t max_rays,
                                              std::uint32_t ray) {
  const std::uint32_t h0 = pcg_hash(pcg_hash(seed) ^ (step * max_rays + ray));
  const std::uint32_t h3 = pcg_hash(pcg_hash(pcg_hash(h0)));
  const std::uint32_t h4 = pcg_hash(h3), h5 = pcg_hash(h4);
  return {unit_float(h3), unit_float(h4), unit_float(h5)};
}

std::array<float, 3> nerf_training_target(std::uint32_t pixel, const float background[3]) {
  const float alpha = static_cast<float>(pixel >> 24) / 255.0f;
  std::array<float, 3> target;
  for (int c = 0; c < 3; ++c) {
    target[c] = static_cast<float>(pixel >> (8 * c) & 0xFFu) / 255.0f + (1.0f - alpha) * background[c];
  }
  return target;
}

float nerf_march_threshold(const std::vector<float>& grid, float density_threshold) {
  double sum = 0;
  for (float v : grid) sum += v;
  return grid.empty() ? density_threshold : std::min(density_threshold, static_cast<float>(sum / grid.size()));
}

Composite nerf_composite(const float* raw, const float* steps, std::size_t count, const float background[3]) {
  Composite c;
  float t = 1.0f;
  for (std::size_t i = 0; i < count; ++i) {
    const float alpha = 1.0f - std::exp(-nerf_density(raw[kOut * i]) * steps[i]);
    const float w = t * alpha;
    for (int k = 0; k < 3; ++k) c.rgb[k] += w * nerf_colour(raw[kOut * i + 1 + k]);
    t *= 1.0f - alpha;
    c.used = i + 1;
    if (t < kMinTransmittance) break;
  }
  for (int k = 0; k < 3; ++k) c.rgb[k] += t * background[k];
  c.transmittance = t;
  return c;
}

float nerf_composite_backward(const float* raw, const float* steps, std::size_t count, const float background[3],
                              const float target[3], float scale, float* d_raw) {
  const Composite c = nerf_composite(raw, steps, count, background);
  float d_c[3];
  float loss = 0;
  for (int k = 0; k < 3; ++k) {
    const float diff = c.rgb[k] - target[k];
    loss += diff * diff;
    d_c[k] = scale * 2.0f * diff;
  }
  std::fill(d_raw, d_raw + kOut * count, 0.0f);
  // The colour after sample i (later samples and the background) is the composite less
  // what samples 0..i gave: d C / d sigma_i = step_i (T_{i+1} c_i - that suffix).
  float t = 1.0f;
  float acc[3] = {0, 0, 0};
  for (std::size_t i = 0; i < c.used; ++i) {
    const float sigma = nerf_density(raw[kOut * i]);
    const float alpha = 1.0f - std::exp(-sigma * steps[i]);
    const float w = t * alpha;
    t *= 1.0f - alpha;
    float d_sigma = 0;
    for (int k = 0; k < 3; ++k) {
      const float col = nerf_colour(raw[kOut * i + 1 + k]);
      acc[k] += w * col;
      const float suffix = c.rgb[k] - acc[k];
      d_sigma += d_c[k] * (t * col - suffix);
      d_raw[kOut * i + 1 + k] = d_c[k] * w * col * (1.0f - col);
    }
    d_raw[kOut * i] = raw[kOut * i] < 15.0f ? d_sigma * steps[i] * sigma : 0.0f;
  }
  return loss;
}

std::vector<float> nerf_grid_from_bits(const std::vector<std::uint8_t>& bits, int resolution,
                                       const NerfSettings& settings) {
  const std::size_t cells = static_cast<std::size_t>(resolution) * resolution * resolution;
  std::vector<float> grid(cells, 0.0f);
  // An occupied cell gets a value past the threshold, an empty one 0: the marchers only
  // compare against the threshold.
  const float occupied = 2.0f * settings.density_threshold + 1.0f;
  for (std::size_t i = 0; i < cells && i / 8 < bits.size(); ++i) {
    if (bits[i / 8] >> (i % 8) & 1) grid[i] = occupied;
  }
  return grid;
}

namespace {

// Every pixel centre's ray of `camera`, marched without jitter, with the field's raw
// outputs at its samples: what the renderer's twins share.
template <typename PerPixel>
void for_each_pixel_ray(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                        const Camera& camera, PerPixel per_pixel) {
  const std::array<float, 16> rows = nerf_camera_rows(camera, settings);
  for (int y = 0; y < camera.height; ++y) {
    for (int x = 0; x < camera.width; ++x) {
      float o[3], d[3];
      nerf_pixel_ray(rows, x + 0.5f, y + 0.5f, o, d);
      const RaySamples samples = nerf_march(settings, grid, o, d, 0.0f);
      std::vector<float> directions;
      for (std::size_t i = 0; i < samples.count(); ++i) directions.insert(directions.end(), d, d + 3);
      const std::vector<float> raw =
          samples.count() ? evaluate(model, {samples.positions.data(), directions.data(), samples.count()})
                          : std::vector<float>();
      per_pixel(static_cast<std::size_t>(y) * camera.width + x, samples, raw);
    }
  }
}

}  // namespace

Image render_nerf_reference(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                            const Camera& camera) {
  Image image(camera.width, camera.height);
  auto composite = [&](std::size_t pixel, const RaySamples& samples, const std::vector<float>& raw) {
    const Composite c = nerf_composite(raw.data(), samples.steps.data(), samples.count(), settings.background.data());
    for (int k = 0; k < 3; ++k) image.rgb[3 * pixel + k] = c.rgb[k];
  };
  for_each_pixel_ray(model, settings, grid, camera, composite);
  return image;
}

void nerf_contribution_reference(const FieldModel& model, const NerfSettings& settings, const std::vector<float>& grid,
                                 const Camera& camera, std::vector<double>* contribution) {
  const HashGridLayout& layout = model.layout();
  contribution->resize(layout.entries, 0.0);
  auto add = [&](std::size_t, const RaySamples& samples, const std::vector<float>& raw) {
    // The weights as nerf_composite forms them, stopping where it stops.
    float t = 1.0f;
    for (std::size_t i = 0; i < samples.count(); ++i) {
      const float alpha = 1.0f - std::exp(-nerf_density(raw[kOut * i]) * samples.steps[i]);
      const double w = t * alpha;
      if (w > 0) {
        for (const HashLevel& level : layout.levels) {
          const CellCorners corners = cell_corners(level, &samples.positions[3 * i]);
          for (int c = 0; c < 8; ++c) (*contribution)[corners.entry[c]] += w * corners.weight[c];
        }
      }
      t *= 1.0f - alpha;
      if (t < kMinTransmittance) break;
    }
  };
  for_each_pixel_ray(model, settings, grid, camera, add);
}

}  // namespace scenezip::field
