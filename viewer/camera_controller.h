// The viewer's camera: orbit, pan, zoom, fly and look, as plain math on a Camera, so
// input handling is tested without a window. Directions follow the mouse: dragging
// moves the scene with the pointer.
#pragma once

#include <array>

#include "engine/render/camera.h"

namespace scenezip::viewer {

class CameraController {
 public:
  // Radians turned per pixel of a drag.
  static constexpr double kRadiansPerPixel = 0.005;
  // Pivot distance kept per wheel click toward the pivot.
  static constexpr double kZoomPerStep = 0.85;
  // Fly speed in scene radii per second.
  static constexpr double kFlyRadiiPerSecond = 0.5;

  // `home`: the camera R returns to (the viewer passes `render --view 0/1`'s camera);
  // `bounds`: the scene's robust bounds, whose centre is the first pivot and whose
  // radius sets fly speed and zoom limits; `y_up`: world up is +y (else -y).
  void reset(const Camera& home, const Bounds& bounds, bool y_up);
  // The same with any unit world-up vector: radiance fields keep their datasets'
  // Blender axes, +z up.
  void reset(const Camera& home, const Bounds& bounds, const std::array<double, 3>& up);
  // Back to the home camera.
  void reset() { set_camera(home_); }
  // Takes a camera's pose and field of view (e.g. from a cameras file); the pivot goes
  // to the point ahead at the depth of the scene's centre.
  void set_camera(const Camera& camera);
  bool y_up() const { return up_[1] > 0; }

  // The camera for a viewport of width x height pixels: the principal point at its
  // centre, the vertical field of view kept, fx = fy * the pixel aspect taken last.
  Camera camera(int width, int height) const;

  // Left drag by (dx, dy) pixels: turns around the pivot; right moves the camera to its
  // left (the scene turns right with the pointer), down moves it up over the pivot.
  // The camera never passes over the pole: it stops 5 degrees short of the up axis.
  void orbit(double dx, double dy);
  // Fly-mode drag: turns in place; right turns right, down looks down.
  void look(double dx, double dy);
  // Right or middle drag: the point at the pivot's depth follows the pointer exactly.
  void pan(double dx, double dy, int viewport_height);
  // Wheel: each positive step moves to kZoomPerStep of the pivot distance.
  void zoom(double steps);
  // WASD/QE: moves along the view direction, the camera's right and world up, in
  // scene radii per second times kFlyRadiiPerSecond; the pivot moves along.
  void fly(double forward, double right, double up, double seconds);

  double fov_y() const { return fov_y_; }
  // Vertical field of view in radians, held to 5..120 degrees.
  void set_fov_y(double radians);
  double pivot_distance() const { return distance_; }
  std::array<double, 3> pivot() const;
  std::array<double, 3> world_up() const { return up_; }

 private:
  using Vec3 = std::array<double, 3>;
  Vec3 axis(int row) const { return {rotation_[3 * row], rotation_[3 * row + 1], rotation_[3 * row + 2]}; }
  // Rotates the camera's axes by `angle` about `direction`, and its position too when
  // it turns about `centre` (orbit) rather than about itself (look).
  void rotate(const Vec3& direction, double angle, const Vec3* centre);
  void turn(double dx, double dy, bool about_pivot);

  Camera home_;
  Vec3 centre_{0, 0, 0};
  double radius_ = 1;
  Vec3 up_{0, -1, 0};
  std::array<double, 9> rotation_{1, 0, 0, 0, 1, 0, 0, 0, 1};  // rows: right, down, forward
  Vec3 position_{0, 0, 0};
  double distance_ = 1;  // pivot = position + distance * forward
  double fov_y_ = 0.8726646259971648;  // 50 degrees
  double pixel_aspect_ = 1;            // fx / fy
  double znear_ = 0.2;
};

}  // namespace scenezip::viewer
