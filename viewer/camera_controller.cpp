#include "viewer/camera_controller.h"

#include <algorithm>
#include <cmath>

namespace scenezip::viewer {

namespace {
using Vec3 = std::array<double, 3>;
constexpr double kPi = 3.14159265358979323846;
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 add(const Vec3& a, const Vec3& b, double s = 1) { return {a[0] + s * b[0], a[1] + s * b[1], a[2] + s * b[2]}; }
Vec3 sub(const Vec3& a, const Vec3& b) { return add(a, b, -1); }
// Rodrigues: v turned by `angle` about the unit vector k.
Vec3 rotated(const Vec3& v, const Vec3& k, double angle) {
  const double c = std::cos(angle), s = std::sin(angle);
  const Vec3 kxv = cross(k, v);
  const double kv = dot(k, v) * (1 - c);
  return {v[0] * c + kxv[0] * s + k[0] * kv, v[1] * c + kxv[1] * s + k[1] * kv, v[2] * c + kxv[2] * s + k[2] * kv};
}
}  // namespace

void CameraController::reset(const Camera& home, const Bounds& bounds, bool y_up) {
  reset(home, bounds, Vec3{0.0, y_up ? 1.0 : -1.0, 0.0});
}

void CameraController::reset(const Camera& home, const Bounds& bounds, const Vec3& up) {
  home_ = home;
  up_ = up;
  Vec3 half{};
  for (int k = 0; k < 3; ++k) {
    centre_[k] = 0.5 * (double(bounds.min[k]) + bounds.max[k]);
    half[k] = 0.5 * (double(bounds.max[k]) - bounds.min[k]);
  }
  radius_ = std::max(1e-6, std::sqrt(dot(half, half)));
  set_camera(home);
}

void CameraController::set_camera(const Camera& camera) {
  rotation_ = camera.rotation;
  position_ = camera.position;
  if (camera.height > 0 && camera.fy > 0) fov_y_ = 2.0 * std::atan(0.5 * camera.height / camera.fy);
  pixel_aspect_ = camera.fy > 0 && camera.fx > 0 ? camera.fx / camera.fy : 1.0;
  znear_ = camera.znear;
  const double ahead = dot(sub(centre_, position_), axis(2));
  distance_ = ahead > 1e-3 * radius_ ? ahead : radius_;
}

Camera CameraController::camera(int width, int height) const {
  Camera c;
  c.width = width;
  c.height = height;
  c.fy = 0.5 * height / std::tan(0.5 * fov_y_);
  c.fx = c.fy * pixel_aspect_;
  c.cx = 0.5 * width;
  c.cy = 0.5 * height;
  c.rotation = rotation_;
  c.position = position_;
  c.znear = znear_;
  return c;
}

std::array<double, 3> CameraController::pivot() const { return add(position_, axis(2), distance_); }

void CameraController::rotate(const Vec3& direction, double angle, const Vec3* centre) {
  for (int row = 0; row < 3; ++row) {
    const Vec3 a = rotated(axis(row), direction, angle);
    for (int k = 0; k < 3; ++k) rotation_[3 * row + k] = a[k];
  }
  if (centre) position_ = add(*centre, rotated(sub(position_, *centre), direction, angle));
}

void CameraController::turn(double dx, double dy, bool about_pivot) {
  // A positive angle about world up moves an upright camera to its right around the
  // pivot (and turns its view left); about its right axis, down. Dragging right and
  // down asks for the opposite of both.
  const Vec3 up = world_up();
  const Vec3 centre = pivot();
  rotate(up, -dx * kRadiansPerPixel, about_pivot ? &centre : nullptr);
  const std::array<double, 9> before_rotation = rotation_;
  const Vec3 before_position = position_;
  rotate(axis(0), -dy * kRadiansPerPixel, about_pivot ? &centre : nullptr);
  if (std::abs(dot(axis(2), up)) > std::cos(5.0 * kPi / 180.0)) {
    rotation_ = before_rotation;
    position_ = before_position;
  }
}

void CameraController::orbit(double dx, double dy) { turn(dx, dy, true); }

void CameraController::look(double dx, double dy) { turn(dx, dy, false); }

void CameraController::pan(double dx, double dy, int viewport_height) {
  if (viewport_height <= 0) return;
  // World units per pixel at the pivot's depth.
  const double fy = 0.5 * viewport_height / std::tan(0.5 * fov_y_);
  const double scale = distance_ / fy;
  position_ = add(position_, axis(0), -dx * scale);
  position_ = add(position_, axis(1), -dy * scale);
}

void CameraController::zoom(double steps) {
  const Vec3 centre = pivot();
  distance_ = std::clamp(distance_ * std::pow(kZoomPerStep, steps), 1e-4 * radius_, 1e4 * radius_);
  position_ = add(centre, axis(2), -distance_);
}

void CameraController::fly(double forward, double right, double up, double seconds) {
  const double step = kFlyRadiiPerSecond * radius_ * seconds;
  position_ = add(position_, axis(2), forward * step);
  position_ = add(position_, axis(0), right * step);
  position_ = add(position_, world_up(), up * step);
}

void CameraController::set_fov_y(double radians) {
  fov_y_ = std::clamp(radians, 5.0 * kPi / 180.0, 120.0 * kPi / 180.0);
}

}  // namespace scenezip::viewer
