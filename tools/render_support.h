// What render, eval, bench and the viewer share: parsing view options, reading
// radiance-field files, and drawing a scene or a field.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/gpu/context.h"
#include "engine/field/nerf_codec.h"
#include "engine/gpu/geometry_renderer.h"
#include "engine/gpu/nerf_trainer.h"
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
    "COLMAP-trained scenes have), -y or +y (default auto); radiance fields keep their datasets' +z up";

// Camera `index` of `count` on the orbit: orbit_camera's, mirrored through y when y_up.
Camera orbit_view(const Orbit& orbit, int index, int count, int width, int height);

// `copies` of the cloud side by side on a square grid in the x-z plane, 1.1 robust
// extents apart: real content at any scale, for bench --copies and convert --copies
// (which writes the same grid, so other renderers can be timed on it).
// Fails, naming the option, when `copies` is outside 1..kMaxCopies or the grid would
// hold more than kMaxPrimitives Gaussians.
Result<GaussianCloud> replicate_on_grid(const GaussianCloud& cloud, int copies);
inline constexpr int kMaxCopies = 4096;

// The same grid of `copies` cells, cell c holding scenes[c % scenes.size()]: a city of
// different scenes rather than replicas. The first scene sets the cell size and stays
// as it is; each other one is scaled uniformly to fit the first's robust x-z extent and
// centred on its robust box. All come out at the highest SH degree among them (higher
// bands zero where a scene had none). The same failures as replicate_on_grid.
Result<GaussianCloud> mix_on_grid(const std::vector<const GaussianCloud*>& scenes, int copies);

// The camera of --view i/n (on `orbit`) or --camera FILE:INDEX. A width or height of 0
// was not given: a camera from a file keeps its own size, an orbit view takes
// kDefaultWidth x kDefaultHeight.
inline constexpr int kDefaultWidth = 800;
inline constexpr int kDefaultHeight = 600;
inline constexpr int kMaxImageSide = 16384;
// The camera of --camera FILE:INDEX (the sizes as for choose_camera).
Result<Camera> camera_from_file(const std::string& camera_file, int width, int height);
Result<Camera> choose_camera(const std::string& view, const std::string& camera_file, const Orbit& orbit, int width,
                             int height);

// The field a file holds, or nullopt when the file is not a radiance-field `.scz`
// (scene kind 4, which is not a Scene: load_scene refuses it). Decoding errors name
// the file.
Result<std::optional<field::DecodedNerf>> load_radiance_field(const std::string& path);

// Camera `index` of `count` on a ring around the box centre in the world's x-y plane,
// 30 degrees above it, +z up (the Blender axes of NeRF datasets), at 1.35 box sides.
Camera field_orbit_camera(const field::NerfSettings& settings, int index, int count, int width, int height);
// The box a field's orbit circles, as Bounds (centre +- half the side).
Bounds field_bounds(const field::NerfSettings& settings);

// Draws scenes on the GPU; one Vulkan context for the whole command. Gaussians go
// through the splat renderer, meshes and point clouds through the geometry renderer,
// radiance fields through gpu::NerfRenderer.
class SceneRenderer {
 public:
  static Result<std::unique_ptr<SceneRenderer>> create(const Scene& scene, gpu::Context& context);
  // A radiance field. It takes no second scene. Its frames come back to the CPU and are
  // uploaded into image_buffer() (gpu::NerfRenderer returns an Image): one round trip
  // per frame, which the ray marcher's own time dwarfs.
  static Result<std::unique_ptr<SceneRenderer>> create_field(std::shared_ptr<const field::DecodedNerf> field,
                                                             gpu::Context& context);
  // Adds a second scene: one of the two must be Gaussians, the other a mesh or points.
  // The opaque one is drawn first and the Gaussians blend over it, hidden behind its
  // surfaces (depth-aware).
  Status add_scene(const Scene& scene, gpu::Context& context);
  Result<Image> render(const Camera& camera, const std::array<float, 3>& background);
  // GPU time per stage of one frame, in milliseconds (0 where a part is absent).
  struct Timings {
    gpu::SplatTimings splats;
    gpu::GeometryTimings geometry;
    double field_ms = 0;  // the ray marcher's last_ms()
  };
  // Renders a frame and leaves it on the GPU, in image_buffer() (vec4 per pixel).
  Result<Timings> draw(const Camera& camera, const std::array<float, 3>& background);
  const gpu::Buffer& image_buffer() const {
    return field_data_ ? field_image_ : splats_ ? splats_->image_buffer() : geometry_->image_buffer();
  }
  gpu::SplatRenderer* splats() { return splats_.get(); }
  gpu::GeometryRenderer* geometry() { return geometry_.get(); }
  const field::DecodedNerf* radiance_field() const { return field_data_.get(); }

 private:
  // The field's renderer for `background` (gpu::NerfRenderer fixes it when created):
  // made again when the background changes.
  Result<gpu::NerfRenderer*> field_renderer(const std::array<float, 3>& background);

  gpu::Context* context_ = nullptr;
  std::unique_ptr<gpu::SplatRenderer> splats_;
  std::unique_ptr<gpu::GeometryRenderer> geometry_;
  std::shared_ptr<const field::DecodedNerf> field_data_;
  std::unique_ptr<gpu::NerfRenderer> nerf_;
  std::array<float, 3> field_background_{};
  gpu::Buffer field_image_;  // host-visible, vec4 per pixel as the other renderers leave theirs
};

}  // namespace scenezip::cli
