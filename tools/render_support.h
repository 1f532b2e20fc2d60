// What render, eval and bench share: parsing view options and drawing a scene.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "engine/gpu/context.h"
#include "engine/gpu/splat_renderer.h"
#include "engine/render/camera.h"
#include "engine/scene/scene.h"

namespace scenezip::cli {

// Parses "r,g,b" with components in [0,1].
Result<std::array<float, 3>> parse_background(const std::string& text);
// Parses "i/n" with 0 <= i < n.
Status parse_view(const std::string& text, int* index, int* count);
// The camera of --view i/n (on the orbit of `bounds`) or --camera FILE:INDEX.
Result<Camera> choose_camera(const std::string& view, const std::string& camera_file, const Bounds& bounds, int width,
                             int height);

// Draws scenes on the GPU; one Vulkan context for the whole command.
class SceneRenderer {
 public:
  static Result<std::unique_ptr<SceneRenderer>> create(const Scene& scene, gpu::Context& context);
  Result<Image> render(const Camera& camera, const std::array<float, 3>& background);
  gpu::SplatRenderer* splats() { return splats_.get(); }

 private:
  std::unique_ptr<gpu::SplatRenderer> splats_;
};

}  // namespace scenezip::cli
