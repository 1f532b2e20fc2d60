// The viewer's camera controller driven by synthetic input, checked against what the
// README documents for each drag, wheel and key.
#include <gtest/gtest.h>

#include <cmath>

#include "viewer/camera_controller.h"

namespace scenezip {
namespace {

using viewer::CameraController;
using Vec3 = std::array<double, 3>;

constexpr double kPi = 3.14159265358979323846;
constexpr int kWidth = 320, kHeight = 240;

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double length(const Vec3& a) { return std::sqrt(dot(a, a)); }
Vec3 row(const Camera& c, int r) { return {c.rotation[3 * r], c.rotation[3 * r + 1], c.rotation[3 * r + 2]}; }

// Pixel where `p` lands, as the renderers project it.
std::array<double, 2> project(const Camera& c, const Vec3& p) {
  const Vec3 d = sub(p, c.position);
  const double x = dot(row(c, 0), d), y = dot(row(c, 1), d), z = dot(row(c, 2), d);
  return {c.cx + c.fx * x / z, c.cy + c.fy * y / z};
}

Bounds test_bounds() {
  Bounds b;
  b.min = {-1.0f, -2.0f, 0.5f};
  b.max = {3.0f, 1.0f, 2.5f};
  return b;
}

// The same home camera `render --view 0/1` uses: orbit_camera, world -y up.
CameraController make(bool y_up = false) {
  CameraController c;
  Camera home = orbit_camera(test_bounds(), 0, 1, kWidth, kHeight);
  c.reset(home, test_bounds(), y_up);
  return c;
}

TEST(CameraController, HomeIsTheOrbitCameraExactly) {
  CameraController c = make();
  const Camera expected = orbit_camera(test_bounds(), 0, 1, kWidth, kHeight);
  const Camera got = c.camera(kWidth, kHeight);
  for (int k = 0; k < 9; ++k) EXPECT_EQ(got.rotation[k], expected.rotation[k]);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(got.position[k], expected.position[k]);
  EXPECT_NEAR(got.fx, expected.fx, 1e-9 * expected.fx);
  EXPECT_NEAR(got.fy, expected.fy, 1e-9 * expected.fy);
  EXPECT_EQ(got.cx, expected.cx);
  EXPECT_EQ(got.cy, expected.cy);
  EXPECT_EQ(got.znear, expected.znear);
  // The pivot is the bounds' centre, in the middle of the image.
  const auto centre = project(got, {1.0, -0.5, 1.5});
  EXPECT_NEAR(centre[0], kWidth / 2.0, 1e-6);
  EXPECT_NEAR(centre[1], kHeight / 2.0, 1e-6);
}

TEST(CameraController, DragRightOrbitsTheCameraToItsLeft) {
  CameraController c = make();
  const Camera before = c.camera(kWidth, kHeight);
  const Vec3 pivot = c.pivot();
  c.orbit(40, 0);
  const Camera after = c.camera(kWidth, kHeight);
  EXPECT_LT(dot(sub(after.position, before.position), row(before, 0)), 0.0);
  // Height above the pivot, distance to it and its place in the image are kept.
  EXPECT_NEAR(dot(sub(after.position, pivot), c.world_up()), dot(sub(before.position, pivot), c.world_up()), 1e-9);
  EXPECT_NEAR(length(sub(after.position, pivot)), length(sub(before.position, pivot)), 1e-9);
  const auto p = project(after, pivot);
  EXPECT_NEAR(p[0], kWidth / 2.0, 1e-6);
  EXPECT_NEAR(p[1], kHeight / 2.0, 1e-6);
  // The turn is kRadiansPerPixel per pixel, about world up.
  const Vec3 a = sub(before.position, pivot), b = sub(after.position, pivot);
  const Vec3 up = c.world_up();
  const Vec3 a_flat = sub(a, {up[0] * dot(a, up), up[1] * dot(a, up), up[2] * dot(a, up)});
  const Vec3 b_flat = sub(b, {up[0] * dot(b, up), up[1] * dot(b, up), up[2] * dot(b, up)});
  EXPECT_NEAR(std::acos(dot(a_flat, b_flat) / (length(a_flat) * length(b_flat))), 40 * CameraController::kRadiansPerPixel,
              1e-9);
  // Upright: the camera's down axis still points away from world up.
  EXPECT_LT(dot(row(after, 1), up), 0.0);
  EXPECT_NEAR(dot(row(after, 0), up), 0.0, 1e-9);
}

TEST(CameraController, DragDownOrbitsTheCameraUpAndStopsShortOfThePole) {
  CameraController c = make();
  const Vec3 up = c.world_up();
  const double height_before = dot(c.camera(kWidth, kHeight).position, up);
  c.orbit(0, 30);
  EXPECT_GT(dot(c.camera(kWidth, kHeight).position, up), height_before);
  for (int i = 0; i < 200; ++i) c.orbit(0, 50);
  const Camera top = c.camera(kWidth, kHeight);
  EXPECT_LE(std::abs(dot(row(top, 2), up)), std::cos(5.0 * kPi / 180.0) + 1e-12);
  EXPECT_LT(dot(row(top, 1), up), 0.0);  // not flipped over
  for (int i = 0; i < 400; ++i) c.orbit(0, -50);
  EXPECT_LE(std::abs(dot(row(c.camera(kWidth, kHeight), 2), up)), std::cos(5.0 * kPi / 180.0) + 1e-12);
}

TEST(CameraController, PanMovesThePivotWithThePointer) {
  CameraController c = make();
  const Vec3 pivot = c.pivot();
  c.pan(25, -10, kHeight);
  const auto p = project(c.camera(kWidth, kHeight), pivot);
  EXPECT_NEAR(p[0], kWidth / 2.0 + 25, 1e-6);
  EXPECT_NEAR(p[1], kHeight / 2.0 - 10, 1e-6);
}

TEST(CameraController, WheelZoomsTowardThePivot) {
  CameraController c = make();
  const Vec3 pivot = c.pivot();
  const double d = c.pivot_distance();
  c.zoom(2);
  EXPECT_NEAR(c.pivot_distance(), d * CameraController::kZoomPerStep * CameraController::kZoomPerStep, 1e-9);
  EXPECT_NEAR(length(sub(c.camera(kWidth, kHeight).position, pivot)), c.pivot_distance(), 1e-9);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(c.pivot()[k], pivot[k], 1e-9);
  c.zoom(-2);
  EXPECT_NEAR(c.pivot_distance(), d, 1e-9);
}

TEST(CameraController, FlyKeysMoveAlongViewRightAndUp) {
  CameraController c = make();
  const Camera before = c.camera(kWidth, kHeight);
  const double radius = std::sqrt(2.0 * 2.0 + 1.5 * 1.5 + 1.0 * 1.0);
  c.fly(1, 0, 0, 2.0);  // W held two seconds
  const Vec3 moved = sub(c.camera(kWidth, kHeight).position, before.position);
  const double step = 2.0 * CameraController::kFlyRadiiPerSecond * radius;
  EXPECT_NEAR(dot(moved, row(before, 2)), step, 1e-9);
  EXPECT_NEAR(length(moved), step, 1e-9);
  c.fly(0, -1, 1, 1.0);  // A and E for a second
  const Vec3 moved2 = sub(c.camera(kWidth, kHeight).position, before.position);
  EXPECT_NEAR(dot(moved2, row(before, 0)), -step / 2, 1e-9);
  EXPECT_NEAR(dot(moved2, c.world_up()), step / 2 + dot(moved, c.world_up()), 1e-9);
  // The view direction does not change.
  for (int k = 0; k < 9; ++k) EXPECT_EQ(c.camera(kWidth, kHeight).rotation[k], before.rotation[k]);
}

TEST(CameraController, LookTurnsInPlace) {
  CameraController c = make();
  const Camera before = c.camera(kWidth, kHeight);
  c.look(30, 20);  // fly mode: drag right and down
  const Camera after = c.camera(kWidth, kHeight);
  for (int k = 0; k < 3; ++k) EXPECT_DOUBLE_EQ(after.position[k], before.position[k]);
  EXPECT_GT(dot(row(after, 2), row(before, 0)), 0.0);  // turned right
  EXPECT_GT(dot(row(after, 2), row(before, 1)), 0.0);  // looks further down
}

TEST(CameraController, ResetReturnsHomeAndFovChangesFocalLength) {
  CameraController c = make();
  const Camera home = c.camera(kWidth, kHeight);
  c.orbit(100, 40);
  c.pan(10, 10, kHeight);
  c.zoom(3);
  c.set_fov_y(70.0 * kPi / 180.0);
  const Camera wide = c.camera(kWidth, kHeight);
  EXPECT_NEAR(wide.fy, 0.5 * kHeight / std::tan(35.0 * kPi / 180.0), 1e-9);
  c.set_fov_y(1.0);  // held to 5..120 degrees
  EXPECT_NEAR(c.fov_y(), 1.0, 1e-12);
  c.set_fov_y(3.0);
  EXPECT_NEAR(c.fov_y(), 120.0 * kPi / 180.0, 1e-12);
  c.reset();
  const Camera back = c.camera(kWidth, kHeight);
  for (int k = 0; k < 9; ++k) EXPECT_EQ(back.rotation[k], home.rotation[k]);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(back.position[k], home.position[k]);
  EXPECT_NEAR(back.fy, home.fy, 1e-9);
}

TEST(CameraController, PlusYUpOrbitsAboutPlusY) {
  CameraController c = make(true);
  EXPECT_EQ(c.world_up()[1], 1.0);
  // A camera upright for +y: its down axis along -y.
  Camera home = orbit_camera(test_bounds(), 0, 1, kWidth, kHeight);
  home.position[1] = -home.position[1];
  for (int r = 0; r < 3; ++r) home.rotation[3 * r + 1] = -home.rotation[3 * r + 1];
  for (int col = 0; col < 3; ++col) home.rotation[col] = -home.rotation[col];
  c.reset(home, test_bounds(), true);
  const double height = dot(c.camera(kWidth, kHeight).position, c.world_up());
  c.orbit(0, 30);
  EXPECT_GT(dot(c.camera(kWidth, kHeight).position, c.world_up()), height);
  c.orbit(50, 0);
  EXPECT_LT(dot(row(c.camera(kWidth, kHeight), 1), c.world_up()), 0.0);
}

TEST(CameraController, CameraFromAFileKeepsItsPoseAndFocalLengths) {
  CameraController c = make();
  Camera file = orbit_camera(test_bounds(), 3, 7, 200, 100);
  file.fx = 180;
  file.fy = 150;
  file.cx = 100;
  file.cy = 50;
  c.set_camera(file);
  const Camera got = c.camera(200, 100);
  EXPECT_NEAR(got.fx, 180, 1e-9);
  EXPECT_NEAR(got.fy, 150, 1e-9);
  for (int k = 0; k < 9; ++k) EXPECT_EQ(got.rotation[k], file.rotation[k]);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(got.position[k], file.position[k]);
}

// Radiance fields keep their datasets' +z up: a horizontal drag turns about the z axis
// through the pivot (height and pivot distance kept), and a vertical one stops short of
// the +z pole as it does of the y poles.
TEST(CameraController, OrbitsAboutAnyWorldUp) {
  CameraController c;
  c.reset(orbit_camera(test_bounds(), 0, 1, kWidth, kHeight), test_bounds(), Vec3{0, 0, 1});
  EXPECT_EQ(c.world_up(), (Vec3{0, 0, 1}));
  EXPECT_FALSE(c.y_up());
  const Vec3 pivot = c.pivot();
  const Camera before = c.camera(kWidth, kHeight);
  c.orbit(300, 0);
  const Camera after = c.camera(kWidth, kHeight);
  EXPECT_NEAR(after.position[2], before.position[2], 1e-9);
  EXPECT_NEAR(length(sub(after.position, pivot)), length(sub(before.position, pivot)), 1e-9);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(c.pivot()[k], pivot[k], 1e-9);
  c.orbit(0, 5000);
  c.orbit(0, 5000);
  EXPECT_LE(std::abs(dot(row(c.camera(kWidth, kHeight), 2), Vec3{0, 0, 1})), std::cos(5.0 * kPi / 180.0) + 1e-9);
}

}  // namespace
}  // namespace scenezip
