#include "tools/render_support.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "formats/file_io.h"
#include "formats/scz/container.h"
#include "tools/command.h"

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

Result<GaussianCloud> replicate_on_grid(const GaussianCloud& cloud, int copies) {
  return mix_on_grid({&cloud}, copies);
}

Result<GaussianCloud> mix_on_grid(const std::vector<const GaussianCloud*>& scenes, int copies) {
  if (scenes.empty()) return invalid_input("no Gaussian scene to place on the grid");
  if (copies < 1 || copies > kMaxCopies) return invalid_input("--copies must be in 1.." + std::to_string(kMaxCopies));
  int degree = 0;
  std::uint64_t total = 0;
  for (const GaussianCloud* scene : scenes) degree = std::max(degree, scene->sh_degree);
  for (int c = 0; c < copies; ++c) total += scenes[c % scenes.size()]->count;
  if (total > scz::kMaxPrimitives) {
    return invalid_input("--copies " + std::to_string(copies) + " makes " + std::to_string(total) +
                         " Gaussians, more than " + std::to_string(scz::kMaxPrimitives));
  }
  // Each scene at the common degree, and where it goes: p -> centre + scale * (p - own centre).
  struct Placement {
    GaussianCloud raised;  // the scene at `degree`, where its own was lower
    const GaussianCloud* cloud = nullptr;
    bool moved = false;
    float scale = 1.0f;
    std::array<float, 3> from{0, 0, 0};
  };
  const Bounds first = robust_bounds(scenes[0]->positions);
  std::array<float, 3> centre{};
  for (int k = 0; k < 3; ++k) centre[k] = 0.5f * (first.min[k] + first.max[k]);
  std::vector<Placement> placements(scenes.size());
  for (std::size_t s = 0; s < scenes.size(); ++s) {
    Placement& p = placements[s];
    p.cloud = scenes[s];
    if (scenes[s]->sh_degree != degree) {
      p.raised = *scenes[s];
      p.raised.set_sh_degree(degree);
      p.cloud = &p.raised;
    }
    if (s == 0) continue;  // the first sets the cells and keeps its place
    const Bounds own = robust_bounds(scenes[s]->positions);
    float fit = HUGE_VALF;
    for (int k : {0, 2}) {
      const float extent = own.max[k] - own.min[k], target = first.max[k] - first.min[k];
      if (extent > 0.0f && target > 0.0f) fit = std::min(fit, target / extent);
    }
    p.moved = true;
    p.scale = std::isfinite(fit) && fit > 0.0f ? fit : 1.0f;  // flat or overflowing extents: as it is
    for (int k = 0; k < 3; ++k) p.from[k] = 0.5f * (own.min[k] + own.max[k]);
  }
  const float step_x = 1.1f * (first.max[0] - first.min[0]), step_z = 1.1f * (first.max[2] - first.min[2]);
  const int side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(copies))));
  GaussianCloud out;
  out.resize(static_cast<std::size_t>(total), degree);
  std::size_t d = 0;
  for (int c = 0; c < copies; ++c) {
    const Placement& p = placements[c % placements.size()];
    const std::array<float, 3> cell{step_x * (c % side), 0.0f, step_z * (c / side)};
    const float log_scale = std::log(p.scale);
    for (std::size_t i = 0; i < p.cloud->count; ++i, ++d) {
      out.copy_from(*p.cloud, i, d);
      for (int k = 0; k < 3; ++k) {
        float& x = out.positions[3 * d + k];
        if (p.moved) x = centre[k] + p.scale * (x - p.from[k]);
        x += cell[k];
      }
      if (p.moved) {
        for (int k = 0; k < 3; ++k) out.log_scales[3 * d + k] += log_scale;
      }
    }
  }
  return out;
}

Result<Camera> camera_from_file(const std::string& camera_file, int width, int height) {
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

Result<Camera> choose_camera(const std::string& view, const std::string& camera_file, const Orbit& orbit, int width,
                             int height) {
  if (width < 0 || height < 0 || width > kMaxImageSide || height > kMaxImageSide) {
    return invalid_input("--width and --height must be in 1.." + std::to_string(kMaxImageSide));
  }
  if (!camera_file.empty()) return camera_from_file(camera_file, width, height);
  int index = 0, count = 1;
  SCZ_RETURN_IF_ERROR(parse_view(view, &index, &count));
  return orbit_view(orbit, index, count, width > 0 ? width : kDefaultWidth, height > 0 ? height : kDefaultHeight);
}

Result<std::optional<field::DecodedNerf>> load_radiance_field(const std::string& path) {
  // Other scenes can be large: only an .scz file is read whole here.
  Result<Bytes> head = read_file_head(path, 4);
  if (!head.ok() || !scz::has_scz_magic(*head)) return std::optional<field::DecodedNerf>();  // the loader reports
  Result<Bytes> bytes = read_file(path);
  if (!bytes.ok()) return std::optional<field::DecodedNerf>();
  Result<scz::Container> container = scz::parse_container(*bytes);
  if (!container.ok() || container->kind != scz::kRadianceFieldKind) {
    return std::optional<field::DecodedNerf>();
  }
  Progress progress("reading " + path);
  Result<field::DecodedNerf> decoded = field::decode_nerf_file(*bytes);
  if (!decoded.ok()) return decoded.status().with_context(path);
  return std::optional<field::DecodedNerf>(std::move(*decoded));
}

Camera field_orbit_camera(const field::NerfSettings& s, int index, int count, int width, int height) {
  const double az = 2.0 * M_PI * index / std::max(1, count);
  const double el = 30.0 * M_PI / 180.0;
  const double dist = 1.35 * s.box_size;
  const double c[3] = {s.box_centre[0], s.box_centre[1], s.box_centre[2]};
  const double p[3] = {c[0] + dist * std::cos(el) * std::cos(az), c[1] + dist * std::cos(el) * std::sin(az),
                       c[2] + dist * std::sin(el)};
  double f[3] = {c[0] - p[0], c[1] - p[1], c[2] - p[2]};
  const double fl = std::sqrt(f[0] * f[0] + f[1] * f[1] + f[2] * f[2]);
  for (double& v : f) v /= fl;
  // COLMAP axes: x right = forward x up, y down = forward x right.
  double x[3] = {f[1] * 1 - f[2] * 0, f[2] * 0 - f[0] * 1, 0};
  const double xl = std::sqrt(x[0] * x[0] + x[1] * x[1]);
  for (double& v : x) v /= xl;
  const double y[3] = {f[1] * x[2] - f[2] * x[1], f[2] * x[0] - f[0] * x[2], f[0] * x[1] - f[1] * x[0]};
  Camera cam;
  cam.width = width;
  cam.height = height;
  cam.fy = 0.5 * height / std::tan(0.5 * 40.0 * M_PI / 180.0);  // 40 degrees vertically
  cam.fx = cam.fy;
  cam.cx = 0.5 * width;
  cam.cy = 0.5 * height;
  for (int k = 0; k < 3; ++k) {
    cam.rotation[k] = x[k];
    cam.rotation[3 + k] = y[k];
    cam.rotation[6 + k] = f[k];
    cam.position[k] = p[k];
  }
  cam.znear = 0.01;
  return cam;
}


Bounds field_bounds(const field::NerfSettings& s) {
  Bounds b;
  for (int k = 0; k < 3; ++k) {
    b.min[k] = static_cast<float>(s.box_centre[k] - 0.5 * s.box_size);
    b.max[k] = static_cast<float>(s.box_centre[k] + 0.5 * s.box_size);
  }
  return b;
}

Result<std::unique_ptr<SceneRenderer>> SceneRenderer::create_field(std::shared_ptr<const field::DecodedNerf> field,
                                                                   gpu::Context& context) {
  auto renderer = std::make_unique<SceneRenderer>();
  renderer->context_ = &context;
  renderer->field_data_ = std::move(field);
  SCZ_RETURN_IF_ERROR(renderer->field_renderer(renderer->field_data_->settings.background).status());
  return renderer;
}

Result<gpu::NerfRenderer*> SceneRenderer::field_renderer(const std::array<float, 3>& background) {
  if (!nerf_ || background != field_background_) {
    nerf_.reset();  // its buffers go before the new one's are made
    field::NerfSettings settings = field_data_->settings;
    settings.background = background;
    SCZ_ASSIGN_OR_RETURN(nerf_, gpu::NerfRenderer::create(*context_, field_data_->model, settings, field_data_->grid));
    field_background_ = background;
  }
  return nerf_.get();
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
  if (field_data_) return invalid_input("a radiance field is drawn alone: it takes no second scene");
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
  if (field_data_) {
    SCZ_ASSIGN_OR_RETURN(gpu::NerfRenderer * nerf, field_renderer(background));
    return nerf->render(camera);
  }
  if (splats_ && geometry_) {
    SCZ_RETURN_IF_ERROR(geometry_->draw(camera, background));
    splats_->set_underlay(&geometry_->image_buffer(), &geometry_->depth_buffer());
  }
  if (splats_) return splats_->render(camera, background);
  return geometry_->render(camera, background);
}

Result<SceneRenderer::Timings> SceneRenderer::draw(const Camera& camera, const std::array<float, 3>& background) {
  Timings timings;
  if (field_data_) {
    SCZ_ASSIGN_OR_RETURN(gpu::NerfRenderer * nerf, field_renderer(background));
    SCZ_ASSIGN_OR_RETURN(const Image image, nerf->render(camera));
    timings.field_ms = nerf->last_ms();
    const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
    const VkDeviceSize bytes = pixels * 4 * sizeof(float);
    if (field_image_.size() < bytes) {
      SCZ_ASSIGN_OR_RETURN(field_image_, context_->create_buffer(bytes, true));
    }
    // render() waited for the GPU, and the viewer's frame that reads this buffer was
    // waited for before this draw, so the host may write it now.
    float* out = static_cast<float*>(field_image_.mapped());
    for (std::size_t i = 0; i < pixels; ++i) {
      for (int c = 0; c < 3; ++c) out[4 * i + c] = image.rgb[3 * i + c];
      out[4 * i + 3] = 1.0f;
    }
    return timings;
  }
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
