// Pinhole cameras in the COLMAP convention (x right, y down, z forward), pixel centres
// at (i + 0.5, j + 0.5), and the orbit rule every scene kind shares.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "engine/scene/gaussian_cloud.h"
#include "formats/photo_set.h"

namespace scenezip {

struct Camera {
  int width = 0;
  int height = 0;
  double fx = 0, fy = 0, cx = 0, cy = 0;
  // World to camera: p_camera = rotation * (p_world - position); row-major 3x3.
  std::array<double, 9> rotation{1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::array<double, 3> position{0, 0, 0};
  double znear = 0.2;

  // World-to-camera 4x4 in column-major order (as GLSL's mat4 takes it).
  std::array<float, 16> view_matrix() const;
  double tan_fovx() const { return 0.5 * width / fx; }
  double tan_fovy() const { return 0.5 * height / fy; }
};

// Bounds that ignore the 1% farthest values at each end of each axis, so stray
// Gaussians far from the scene do not push the cameras away.
Bounds robust_bounds(const std::vector<float>& xyz);

// Camera `index` of `count` on a ring around the bounds' centre, looking at it from 20
// degrees above the ring plane (world -y is up, as in COLMAP-trained scenes), at a
// distance that fits the bounds' sphere in a 50-degree vertical field of view.
Camera orbit_camera(const Bounds& bounds, int index, int count, int width, int height);

// The pinhole camera of a photo set's frame: its size, focal lengths and principal point,
// and its pose turned from OpenGL camera axes (y up, looking down -z) to COLMAP's by
// negating the y and z axes. Lens distortion is not a pinhole's: load_photo undistorts
// the photo to this camera.
Camera photo_camera(const PhotoFrame& frame);

// The same view drawn at width x height: focal lengths and principal point scale with the
// image (pixel centres at i + 0.5 keep their place).
Camera resized_camera(const Camera& camera, int width, int height);

// A camera from an INRIA cameras.json or NeRF-synthetic / Instant-NGP transforms*.json
// entry (through read_photo_set, whose images are opened only where the JSON lacks the
// size); the image size is the file's unless width/height are given (then the focal
// lengths and principal point scale with it; one side given alone keeps the file's
// aspect ratio).
Result<Camera> load_camera_file(const std::string& path, int index, int width = 0, int height = 0);

// The camera as an INRIA cameras.json entry (rotation camera-to-world, position the
// centre, focal lengths in pixels), so other tools can render the same view; "cx" and
// "cy" are added (INRIA's own files have none and mean the image centre), and
// load_camera_file reads them back.
std::string camera_to_inria_json(const Camera& camera, int id = 0);

}  // namespace scenezip
