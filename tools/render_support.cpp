#include "tools/render_support.h"

#include <charconv>
#include <sstream>

namespace scenezip::cli {

Result<std::array<float, 3>> parse_background(const std::string& text) {
  std::array<float, 3> rgb{};
  std::stringstream in(text);
  std::string part;
  int k = 0;
  while (std::getline(in, part, ',')) {
    if (k >= 3) return invalid_input("--background takes three numbers r,g,b, got '" + text + "'");
    float v = 0;
    auto r = std::from_chars(part.data(), part.data() + part.size(), v);
    if (r.ec != std::errc() || r.ptr != part.data() + part.size() || !(v >= 0.0f && v <= 1.0f)) {
      return invalid_input("--background components must be numbers in [0,1], got '" + text + "'");
    }
    rgb[k++] = v;
  }
  if (k != 3) return invalid_input("--background takes three numbers r,g,b, got '" + text + "'");
  return rgb;
}

Status parse_view(const std::string& text, int* index, int* count) {
  const auto slash = text.find('/');
  auto number = [](const std::string& s, int* out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  if (slash == std::string::npos || !number(text.substr(0, slash), index) || !number(text.substr(slash + 1), count) ||
      *count < 1 || *count > 100000 || *index < 0 || *index >= *count) {
    return invalid_input("--view takes i/n with 0 <= i < n, got '" + text + "'");
  }
  return Status::Ok();
}

Result<Camera> choose_camera(const std::string& view, const std::string& camera_file, const Bounds& bounds, int width,
                             int height) {
  if (width < 1 || height < 1 || width > 16384 || height > 16384) {
    return invalid_input("--width and --height must be in 1..16384");
  }
  if (!camera_file.empty()) {
    const auto colon = camera_file.rfind(':');
    int index = 0;
    if (colon == std::string::npos ||
        std::from_chars(camera_file.data() + colon + 1, camera_file.data() + camera_file.size(), index).ec !=
            std::errc()) {
      return invalid_input("--camera takes FILE:INDEX, got '" + camera_file + "'");
    }
    return load_camera_file(camera_file.substr(0, colon), index, width, height);
  }
  int index = 0, count = 1;
  SCZ_RETURN_IF_ERROR(parse_view(view, &index, &count));
  return orbit_camera(bounds, index, count, width, height);
}

Result<std::unique_ptr<SceneRenderer>> SceneRenderer::create(const Scene& scene, gpu::Context& context) {
  auto renderer = std::make_unique<SceneRenderer>();
  if (const GaussianCloud* cloud = scene.gaussians()) {
    SCZ_ASSIGN_OR_RETURN(renderer->splats_, gpu::SplatRenderer::create(context, *cloud));
    return renderer;
  }
  return unsupported(std::string("rendering ") + scene_kind_name(scene.kind()) +
                     " is not built yet: only Gaussian scenes render for now");
}

Result<Image> SceneRenderer::render(const Camera& camera, const std::array<float, 3>& background) {
  return splats_->render(camera, background);
}

}  // namespace scenezip::cli
