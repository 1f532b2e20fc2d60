#include "engine/render/camera.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace scenezip {

namespace {
constexpr double kPi = 3.14159265358979323846;

using Vec3 = std::array<double, 3>;
Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 normalized(const Vec3& a) {
  const double l = std::sqrt(dot(a, a));
  return l > 0 ? Vec3{a[0] / l, a[1] / l, a[2] / l} : Vec3{0, 0, 1};
}

// Camera at `eye` looking at `target`, its y axis as close to `down` as possible.
Camera look_at(const Vec3& eye, const Vec3& target, const Vec3& down) {
  Camera cam;
  const Vec3 z = normalized(sub(target, eye));
  Vec3 y = sub(down, {z[0] * dot(down, z), z[1] * dot(down, z), z[2] * dot(down, z)});
  y = normalized(y);
  const Vec3 x = cross(y, z);
  cam.rotation = {x[0], x[1], x[2], y[0], y[1], y[2], z[0], z[1], z[2]};
  cam.position = eye;
  return cam;
}
}  // namespace

std::array<float, 16> Camera::view_matrix() const {
  const auto& r = rotation;
  // t = -R * position
  double t[3];
  for (int i = 0; i < 3; ++i) t[i] = -(r[3 * i] * position[0] + r[3 * i + 1] * position[1] + r[3 * i + 2] * position[2]);
  std::array<float, 16> m{};
  for (int col = 0; col < 3; ++col) {
    for (int row = 0; row < 3; ++row) m[4 * col + row] = static_cast<float>(r[3 * row + col]);
  }
  for (int row = 0; row < 3; ++row) m[12 + row] = static_cast<float>(t[row]);
  m[15] = 1.0f;
  return m;
}

Bounds robust_bounds(const std::vector<float>& xyz) {
  const std::size_t n = xyz.size() / 3;
  Bounds b;
  if (n == 0) return b;
  std::vector<float> axis;
  axis.reserve(n);
  for (int k = 0; k < 3; ++k) {
    axis.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (std::isfinite(xyz[3 * i + k])) axis.push_back(xyz[3 * i + k]);
    }
    if (axis.empty()) continue;
    const std::size_t lo = static_cast<std::size_t>(0.01 * (axis.size() - 1));
    const std::size_t hi = axis.size() - 1 - lo;
    std::nth_element(axis.begin(), axis.begin() + lo, axis.end());
    b.min[k] = axis[lo];
    std::nth_element(axis.begin(), axis.begin() + hi, axis.end());
    b.max[k] = axis[hi];
  }
  return b;
}

Camera orbit_camera(const Bounds& bounds, int index, int count, int width, int height) {
  const Vec3 centre = {0.5 * (bounds.min[0] + bounds.max[0]), 0.5 * (bounds.min[1] + bounds.max[1]),
                       0.5 * (bounds.min[2] + bounds.max[2])};
  const Vec3 half = {0.5 * (bounds.max[0] - bounds.min[0]), 0.5 * (bounds.max[1] - bounds.min[1]),
                     0.5 * (bounds.max[2] - bounds.min[2])};
  const double radius = std::max(1e-6, std::sqrt(dot(half, half)));
  const double fov_y = 50.0 * kPi / 180.0;
  const double distance = radius / std::sin(0.5 * fov_y);
  const double azimuth = 2.0 * kPi * index / std::max(1, count);
  const double elevation = 20.0 * kPi / 180.0;
  // Ring in the x-z plane; "above" is world -y.
  const Vec3 eye = {centre[0] + distance * std::cos(elevation) * std::sin(azimuth),
                    centre[1] - distance * std::sin(elevation),
                    centre[2] + distance * std::cos(elevation) * std::cos(azimuth)};
  Camera cam = look_at(eye, centre, {0, 1, 0});
  cam.width = width;
  cam.height = height;
  cam.fy = 0.5 * height / std::tan(0.5 * fov_y);
  cam.fx = cam.fy;
  cam.cx = 0.5 * width;
  cam.cy = 0.5 * height;
  cam.znear = std::max(1e-4, 0.01 * radius);
  return cam;
}

std::string camera_to_inria_json(const Camera& camera, int id) {
  nlohmann::ordered_json e;
  e["id"] = id;
  e["img_name"] = "view_" + std::to_string(id);
  e["width"] = camera.width;
  e["height"] = camera.height;
  e["position"] = camera.position;
  nlohmann::json rotation = nlohmann::json::array();
  for (int r = 0; r < 3; ++r) {
    // Camera-to-world is the transpose of the stored world-to-camera rotation.
    rotation.push_back({camera.rotation[r], camera.rotation[3 + r], camera.rotation[6 + r]});
  }
  e["rotation"] = rotation;
  e["fy"] = camera.fy;
  e["fx"] = camera.fx;
  // Not in INRIA's files (their principal point is the centre); kept so a photo set's
  // off-centre camera survives --save-camera, and ignored by readers that do not know it.
  e["cx"] = camera.cx;
  e["cy"] = camera.cy;
  return nlohmann::json::array({e}).dump(2);
}

Camera photo_camera(const PhotoFrame& frame) {
  Camera cam;
  cam.width = frame.width;
  cam.height = frame.height;
  cam.fx = frame.fx;
  cam.fy = frame.fy;
  cam.cx = frame.cx;
  cam.cy = frame.cy;
  const auto& m = frame.camera_to_world;
  // Camera-to-world columns are the camera's axes in the world; COLMAP's y and z are
  // OpenGL's negated. World-to-camera rotation is the transpose: its rows are those axes.
  for (int axis = 0; axis < 3; ++axis) {
    const double sign = axis == 0 ? 1.0 : -1.0;
    for (int k = 0; k < 3; ++k) cam.rotation[3 * axis + k] = sign * m[4 * k + axis];
  }
  for (int k = 0; k < 3; ++k) cam.position[k] = m[4 * k + 3];
  cam.znear = 0.01;
  return cam;
}

Result<Camera> load_camera_file(const std::string& path, int index, int width, int height) {
  std::ifstream in(path);
  if (!in) return io_error(path + ": cannot open camera file");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return invalid_input(path + ": not valid JSON (" + e.what() + ")");
  }
  Camera cam;
  if (j.is_object()) {
    // NeRF-synthetic or Instant-NGP transforms.json.
    SCZ_ASSIGN_OR_RETURN(const PhotoSet set, read_photo_set(path, {.downscale = 1, .require_images = false}));
    if (index < 0 || index >= static_cast<int>(set.frames.size())) {
      return invalid_input(path + ": frame index " + std::to_string(index) + " outside 0.." +
                           std::to_string(static_cast<int>(set.frames.size()) - 1));
    }
    cam = photo_camera(set.frames[index]);
  } else {
    try {
      if (!j.is_array()) return invalid_input(path + ": neither a cameras.json array nor a transforms.json object");
      // INRIA cameras.json: rotation is camera-to-world (columns are the camera axes).
      if (index < 0 || index >= static_cast<int>(j.size())) {
        return invalid_input(path + ": camera index " + std::to_string(index) + " outside 0.." +
                             std::to_string(static_cast<int>(j.size()) - 1));
      }
      const auto& e = j[index];
      cam.width = e.at("width").get<int>();
      cam.height = e.at("height").get<int>();
      cam.fx = e.at("fx").get<double>();
      cam.fy = e.at("fy").get<double>();
      const auto& rot = e.at("rotation");
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) cam.rotation[3 * c + r] = rot.at(r).at(c).get<double>();  // transpose
      for (int k = 0; k < 3; ++k) cam.position[k] = e.at("position").at(k).get<double>();
    } catch (const std::exception& e) {
      return invalid_input(path + ": camera entry lacks a field (" + e.what() + ")");
    }
    if (cam.width <= 0 || cam.height <= 0 || !(cam.fx > 0) || !(cam.fy > 0)) {
      return invalid_input(path + ": camera has no positive size and focal length");
    }
    cam.cx = 0.5 * cam.width;
    cam.cy = 0.5 * cam.height;
    for (const auto& [key, value] : {std::pair{"cx", &cam.cx}, std::pair{"cy", &cam.cy}}) {
      const auto& e = j[index];
      if (!e.contains(key)) continue;
      if (!e[key].is_number() || !std::isfinite(e[key].get<double>())) {
        return invalid_input(path + ": camera " + std::to_string(index) + "'s \"" + key + "\" is not a number");
      }
      *value = e[key].get<double>();
    }
    cam.znear = 0.01;
  }
  const int file_w = cam.width, file_h = cam.height;
  int w = width > 0 ? width : file_w;
  int h = height > 0 ? height : file_h;
  // A size given on one side only keeps the file's aspect ratio.
  if (width > 0 && height <= 0) h = std::max(1, static_cast<int>(std::lround(static_cast<double>(file_h) * width / file_w)));
  if (height > 0 && width <= 0) w = std::max(1, static_cast<int>(std::lround(static_cast<double>(file_w) * height / file_h)));
  return resized_camera(cam, w, h);
}

Camera resized_camera(const Camera& camera, int width, int height) {
  Camera c = camera;
  const double sx = static_cast<double>(width) / camera.width, sy = static_cast<double>(height) / camera.height;
  c.width = width;
  c.height = height;
  c.fx *= sx;
  c.fy *= sy;
  c.cx *= sx;
  c.cy *= sy;
  return c;
}

}  // namespace scenezip
