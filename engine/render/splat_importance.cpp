#include "engine/render/splat_importance.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "engine/render/splat_reference.h"

namespace scenezip {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

std::vector<Camera> importance_cameras(const std::vector<float>& positions, int count, int resolution) {
  std::vector<Camera> cameras;
  if (count < 1) return cameras;
  resolution = std::clamp(resolution, 1, 16384);
  const Bounds bounds = robust_bounds(positions);
  // orbit_camera supplies the distance, field of view, intrinsics and near plane; only
  // the direction differs, so the eye is moved on the same sphere and re-aimed.
  const Camera base = orbit_camera(bounds, 0, 1, resolution, resolution);
  const double centre[3] = {0.5 * (bounds.min[0] + bounds.max[0]), 0.5 * (bounds.min[1] + bounds.max[1]),
                            0.5 * (bounds.min[2] + bounds.max[2])};
  double distance = 0;
  for (int k = 0; k < 3; ++k) distance += (base.position[k] - centre[k]) * (base.position[k] - centre[k]);
  distance = std::sqrt(distance);
  const double lo = std::sin(-20.0 * kPi / 180.0), hi = std::sin(60.0 * kPi / 180.0);
  const double golden = kPi * (3.0 - std::sqrt(5.0));
  cameras.reserve(static_cast<std::size_t>(count));
  for (int v = 0; v < count; ++v) {
    const double height = lo + (hi - lo) * (v + 0.5) / count;  // sin(elevation), equal-area steps
    const double elevation = std::asin(height), azimuth = golden * v;
    const double eye[3] = {centre[0] + distance * std::cos(elevation) * std::sin(azimuth),
                           centre[1] - distance * std::sin(elevation),
                           centre[2] + distance * std::cos(elevation) * std::cos(azimuth)};
    // Axes as orbit_camera's look_at builds them: z towards the centre, y as close to
    // world +y (down) as possible, x = y cross z.
    double z[3], y[3] = {0, 1, 0}, x[3];
    for (int k = 0; k < 3; ++k) z[k] = (centre[k] - eye[k]) / distance;
    const double yz = y[0] * z[0] + y[1] * z[1] + y[2] * z[2];
    for (int k = 0; k < 3; ++k) y[k] -= yz * z[k];
    const double ylen = std::sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2]);
    for (double& c : y) c /= ylen;
    x[0] = y[1] * z[2] - y[2] * z[1];
    x[1] = y[2] * z[0] - y[0] * z[2];
    x[2] = y[0] * z[1] - y[1] * z[0];
    Camera camera = base;
    camera.rotation = {x[0], x[1], x[2], y[0], y[1], y[2], z[0], z[1], z[2]};
    camera.position = {eye[0], eye[1], eye[2]};
    cameras.push_back(camera);
  }
  return cameras;
}

void add_blend_weights_reference(const GaussianCloud& cloud, const Camera& camera, double* sums) {
  // The tile lists of render_gaussians_reference, then its blending loop with the
  // weight alpha * T sent to the Gaussian instead of its colour to the pixel.
  const SplatTiles b = bin_splats(cloud, camera);
  for (int py = 0; py < camera.height; ++py) {
    for (int px = 0; px < camera.width; ++px) {
      const auto [begin, end] = b.ranges[(py / b.tile_size) * b.tiles_x + px / b.tile_size];
      const float fx = px + 0.5f, fy = py + 0.5f;
      float T = 1.0f;
      for (std::size_t k = begin; k < end; ++k) {
        const std::uint32_t i = std::get<2>(b.instances[k]);
        const float alpha = splat_alpha(b.splats[i], fx, fy);
        if (alpha == 0.0f) continue;
        const float next_T = T * (1.0f - alpha);
        if (next_T < 0.0001f) break;
        sums[i] += static_cast<double>(alpha * T);
        T = next_T;
      }
    }
  }
}

std::vector<float> blend_weights_reference(const GaussianCloud& cloud, const std::vector<Camera>& cameras) {
  std::vector<double> sums(cloud.count, 0.0);
  for (const Camera& camera : cameras) add_blend_weights_reference(cloud, camera, sums.data());
  return std::vector<float>(sums.begin(), sums.end());
}

}  // namespace scenezip
