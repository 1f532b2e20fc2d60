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

Result<Orbit> scene_orbit(const Scene& scene, const std::string& up) {
  Orbit orbit;
  if (const GaussianCloud* cloud = scene.gaussians()) orbit = {robust_bounds(cloud->positions), false};
  else if (const Mesh* mesh = scene.mesh()) orbit = {robust_bounds(mesh->positions), true};
  else orbit = {robust_bounds(scene.points()->positions), false};
  if (up == "-y") orbit.y_up = false;
  else if (up == "+y") orbit.y_up = true;
  else if (up != "auto") return invalid_input("--up takes auto, -y or +y, got '" + up + "'");
  return orbit;
}

Camera orbit_view(const Orbit& orbit, int index, int count, int width, int height) {
  if (!orbit.y_up) return orbit_camera(orbit.bounds, index, count, width, height);
  // Orbit the scene mirrored through y, then mirror the camera back: the position's y
  // and the axes' y components flip, and x flips too so the camera stays right-handed
  // (the image is not mirrored). Same ring, same elevation, seen from the +y side.
  Bounds mirrored = orbit.bounds;
  mirrored.min[1] = -orbit.bounds.max[1];
  mirrored.max[1] = -orbit.bounds.min[1];
  Camera camera = orbit_camera(mirrored, index, count, width, height);
  camera.position[1] = -camera.position[1];
  for (int row = 0; row < 3; ++row) camera.rotation[3 * row + 1] = -camera.rotation[3 * row + 1];
  for (int col = 0; col < 3; ++col) camera.rotation[col] = -camera.rotation[col];
  return camera;
}

Result<Camera> choose_camera(const std::string& view, const std::string& camera_file, const Orbit& orbit, int width,
                             int height) {
  if (width < 0 || height < 0 || width > kMaxImageSide || height > kMaxImageSide) {
    return invalid_input("--width and --height must be in 1.." + std::to_string(kMaxImageSide));
  }
  if (!camera_file.empty()) {
    const auto colon = camera_file.rfind(':');
    int index = 0;
    if (colon == std::string::npos ||
        std::from_chars(camera_file.data() + colon + 1, camera_file.data() + camera_file.size(), index).ec !=
            std::errc()) {
      return invalid_input("--camera takes FILE:INDEX, got '" + camera_file + "'");
    }
    const std::string path = camera_file.substr(0, colon);
    SCZ_ASSIGN_OR_RETURN(Camera camera, load_camera_file(path, index, width, height));
    if (camera.width > kMaxImageSide || camera.height > kMaxImageSide) {
      return invalid_input(path + ": camera " + std::to_string(index) + " is " + std::to_string(camera.width) + "x" +
                           std::to_string(camera.height) + ", past " + std::to_string(kMaxImageSide) +
                           " pixels a side (set --width/--height)");
    }
    return camera;
  }
  int index = 0, count = 1;
  SCZ_RETURN_IF_ERROR(parse_view(view, &index, &count));
  return orbit_view(orbit, index, count, width > 0 ? width : kDefaultWidth, height > 0 ? height : kDefaultHeight);
}

Result<std::unique_ptr<SceneRenderer>> SceneRenderer::create(const Scene& scene, gpu::Context& context) {
  auto renderer = std::make_unique<SceneRenderer>();
  if (const GaussianCloud* cloud = scene.gaussians()) {
    SCZ_ASSIGN_OR_RETURN(renderer->splats_, gpu::SplatRenderer::create(context, *cloud));
  } else if (const Mesh* mesh = scene.mesh()) {
    SCZ_ASSIGN_OR_RETURN(renderer->geometry_, gpu::GeometryRenderer::create(context, *mesh));
  } else {
    SCZ_ASSIGN_OR_RETURN(renderer->geometry_, gpu::GeometryRenderer::create(context, *scene.points()));
  }
  return renderer;
}

Status SceneRenderer::add_scene(const Scene& scene, gpu::Context& context) {
  const bool adds_gaussians = scene.gaussians() != nullptr;
  if (adds_gaussians == (splats_ != nullptr)) {
    return invalid_input("two scenes combine only as Gaussians over a mesh or point cloud");
  }
  SCZ_ASSIGN_OR_RETURN(auto other, create(scene, context));
  if (adds_gaussians) splats_ = std::move(other->splats_);
  else geometry_ = std::move(other->geometry_);
  return Status::Ok();
}

Result<Image> SceneRenderer::render(const Camera& camera, const std::array<float, 3>& background) {
  if (splats_ && geometry_) {
    SCZ_RETURN_IF_ERROR(geometry_->draw(camera, background));
    splats_->set_underlay(&geometry_->image_buffer(), &geometry_->depth_buffer());
  }
  if (splats_) return splats_->render(camera, background);
  return geometry_->render(camera, background);
}

Result<SceneRenderer::Timings> SceneRenderer::draw(const Camera& camera, const std::array<float, 3>& background) {
  Timings timings;
  if (geometry_) {
    SCZ_ASSIGN_OR_RETURN(timings.geometry, geometry_->render_timed(camera, background));
  }
  if (splats_) {
    splats_->set_underlay(geometry_ ? &geometry_->image_buffer() : nullptr, geometry_ ? &geometry_->depth_buffer() : nullptr);
    SCZ_ASSIGN_OR_RETURN(timings.splats, splats_->render_timed(camera, background));
  }
  return timings;
}

}  // namespace scenezip::cli
