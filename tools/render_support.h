// What render, eval and bench share: parsing view options and drawing a scene.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "engine/gpu/context.h"
#include "engine/gpu/geometry_renderer.h"
#include "engine/gpu/splat_renderer.h"
#include "engine/render/camera.h"
#include "engine/scene/scene.h"

namespace scenezip::cli {

// Parses "r,g,b" with components in [0,1].
Result<std::array<float, 3>> parse_background(const std::string& text);
// Parses "i/n" with 0 <= i < n.
Status parse_view(const std::string& text, int* index, int* count);
// Where a scene's orbit cameras circle. The bounds follow one rule for every kind:
// robust_bounds of the positions (Gaussians, mesh vertices or points). The up axis does
// not: Gaussian scenes (COLMAP) and depth-camera clouds have world -y up, orbit_camera's
// rule, while glTF meshes are +y up by specification and OBJ/PLY meshes (scans, game
// assets) commonly follow it, so meshes orbit on the +y side, upright.
struct Orbit {
  Bounds bounds;
  bool y_up = false;
};
// `up` is "auto" (the per-kind default above), "-y" (every kind on orbit_camera's rule)
// or "+y"; anything else is an error.
Result<Orbit> scene_orbit(const Scene& scene, const std::string& up = "auto");
inline constexpr const char* kUpHelp =
    "Up axis of orbit views: auto (+y for meshes, as glTF specifies; -y for Gaussians and points, as "
    "COLMAP-trained scenes have), -y or +y (default auto)";

// Camera `index` of `count` on the orbit: orbit_camera's, mirrored through y when y_up.
Camera orbit_view(const Orbit& orbit, int index, int count, int width, int height);

// The camera of --view i/n (on `orbit`) or --camera FILE:INDEX. A width or height of 0
// was not given: a camera from a file keeps its own size, an orbit view takes
// kDefaultWidth x kDefaultHeight.
inline constexpr int kDefaultWidth = 800;
inline constexpr int kDefaultHeight = 600;
inline constexpr int kMaxImageSide = 16384;
Result<Camera> choose_camera(const std::string& view, const std::string& camera_file, const Orbit& orbit, int width,
                             int height);

// Draws scenes on the GPU; one Vulkan context for the whole command. Gaussians go
// through the splat renderer, meshes and point clouds through the geometry renderer.
class SceneRenderer {
 public:
  static Result<std::unique_ptr<SceneRenderer>> create(const Scene& scene, gpu::Context& context);
  // Adds a second scene: one of the two must be Gaussians, the other a mesh or points.
  // The opaque one is drawn first and the Gaussians blend over it, hidden behind its
  // surfaces (depth-aware).
  Status add_scene(const Scene& scene, gpu::Context& context);
  Result<Image> render(const Camera& camera, const std::array<float, 3>& background);
  // GPU time per stage of one frame, in milliseconds (0 where a part is absent).
  struct Timings {
    gpu::SplatTimings splats;
    gpu::GeometryTimings geometry;
  };
  // Renders a frame and leaves it on the GPU, in image_buffer() (vec4 per pixel).
  Result<Timings> draw(const Camera& camera, const std::array<float, 3>& background);
  const gpu::Buffer& image_buffer() const { return splats_ ? splats_->image_buffer() : geometry_->image_buffer(); }
  gpu::SplatRenderer* splats() { return splats_.get(); }
  gpu::GeometryRenderer* geometry() { return geometry_.get(); }

 private:
  std::unique_ptr<gpu::SplatRenderer> splats_;
  std::unique_ptr<gpu::GeometryRenderer> geometry_;
};

}  // namespace scenezip::cli
