#include "viewer/scene_slot.h"

#include <thread>

#include "formats/formats.h"

namespace scenezip::viewer {

void SceneSlot::open(const std::string& path, const std::string& with_path) {
  pending_path_ = path;
  pending_with_ = with_path;
  started_ = std::chrono::steady_clock::now();
  // A future from std::async joins in its destructor: a read still running is handed to
  // a detached thread instead, so opening another file never blocks the frame.
  if (pending_.valid()) {
    std::thread([old = std::move(pending_)]() mutable { old.wait(); }).detach();
  }
  pending_ = std::async(std::launch::async, [path, with_path]() -> Result<Loaded> {
    Loaded loaded;
    SCZ_ASSIGN_OR_RETURN(std::optional<field::DecodedNerf> field, cli::load_radiance_field(path));
    if (field) {
      if (!with_path.empty()) return invalid_input(path + ": a radiance field takes no --with scene");
      loaded.field = std::make_shared<const field::DecodedNerf>(std::move(*field));
      return loaded;
    }
    SCZ_ASSIGN_OR_RETURN(loaded.scene, load_scene(path));
    if (!with_path.empty()) {
      SCZ_ASSIGN_OR_RETURN(Scene with, load_scene(with_path));
      loaded.with = std::move(with);
    }
    return loaded;
  });
}

double SceneSlot::loading_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

bool SceneSlot::finish(gpu::Context& context, const std::string& up) {
  if (pending_.valid()) pending_.wait();
  return update(context, up);
}

bool SceneSlot::update(gpu::Context& context, const std::string& up) {
  if (!pending_.valid() || pending_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return false;
  Result<Loaded> loaded = pending_.get();
  if (!loaded.ok()) {
    error_ = loaded.status().message();
    return false;
  }
  if (loaded->field) return take_field(context, loaded->field);
  const Scene& scene = loaded->scene;
  auto orbit = cli::scene_orbit(scene, up);
  if (!orbit.ok()) {
    error_ = orbit.status().message();
    return false;
  }
  // The old scene's buffers go before the new one's are made, so two big scenes never
  // need GPU memory at once.
  renderer_.reset();
  auto renderer = cli::SceneRenderer::create(scene, context);
  Status status = renderer.ok() ? Status::Ok() : renderer.status();
  if (status.ok() && loaded->with) status = (*renderer)->add_scene(*loaded->with, context).with_context(pending_with_);
  if (!status.ok()) {
    error_ = pending_path_ + ": " + status.message();
    facts_ = SceneFacts{};
    return false;
  }
  renderer_ = std::move(*renderer);
  error_.clear();
  facts_ = SceneFacts{};
  facts_.path = pending_path_;
  facts_.with_path = pending_with_;
  facts_.kind = scene.kind();
  if (const GaussianCloud* cloud = scene.gaussians()) {
    facts_.count = cloud->count;
    facts_.sh_degree = cloud->sh_degree;
  } else if (const Mesh* mesh = scene.mesh()) {
    facts_.count = mesh->triangle_count();
    facts_.vertices = mesh->vertex_count();
  } else {
    facts_.count = scene.points()->count();
  }
  facts_.bytes = scene_bytes_on_disk(pending_path_) + (pending_with_.empty() ? 0 : scene_bytes_on_disk(pending_with_));
  facts_.orbit = *orbit;
  return true;
}

bool SceneSlot::take_field(gpu::Context& context, std::shared_ptr<const field::DecodedNerf> field) {
  renderer_.reset();
  auto renderer = cli::SceneRenderer::create_field(field, context);
  if (!renderer.ok()) {
    error_ = pending_path_ + ": " + renderer.status().message();
    facts_ = SceneFacts{};
    return false;
  }
  renderer_ = std::move(*renderer);
  error_.clear();
  facts_ = SceneFacts{};
  facts_.path = pending_path_;
  facts_.count = field->occupied_cells;
  facts_.bytes = scene_bytes_on_disk(pending_path_);
  facts_.orbit.bounds = cli::field_bounds(field->settings);
  facts_.field = std::move(field);
  return true;
}

Status SceneSlot::set_up(const std::string& up) {
  if (facts_.field) return Status::Ok();  // a field's datasets fix +z up
  if (up == "-y") facts_.orbit.y_up = false;
  else if (up == "+y") facts_.orbit.y_up = true;
  else if (up == "auto") facts_.orbit.y_up = facts_.kind == SceneKind::kMesh;
  else return invalid_input("up axis takes auto, -y or +y, got '" + up + "'");
  return Status::Ok();
}

}  // namespace scenezip::viewer

