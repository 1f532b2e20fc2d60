// `scenezip render SCENE --out IMG.png`: one image of a scene, drawn on the GPU.
#include <cstdio>

#include "formats/file_io.h"
#include "formats/formats.h"
#include "tools/command.h"
#include "tools/radiance_field_cli.h"
#include "tools/render_support.h"

namespace scenezip::cli {

namespace {

struct RenderOptions {
  std::string scene;
  std::string out;
  int width = 0;  // 0: the camera file's width, or kDefaultWidth for orbit views
  int height = 0;
  std::string view = "0/1";
  std::string camera;
  std::string background = "1,1,1";
  std::string up = "auto";
  std::string with;
  std::string save_camera;
};

Status run_render(const RenderOptions& o) {
  SCZ_ASSIGN_OR_RETURN(auto background, parse_background(o.background));
  SCZ_ASSIGN_OR_RETURN(const std::optional<field::DecodedNerf> radiance, load_radiance_field(o.scene));
  if (radiance) {
    if (!o.with.empty()) return invalid_input("--with does not take a radiance field");
    FieldRenderRequest request;
    request.out = o.out;
    request.view = o.view;
    request.camera = o.camera;
    request.width = o.width;
    request.height = o.height;
    request.background = background;
    return render_radiance_field(o.scene, *radiance, request);
  }
  Result<Scene> loaded = load_with_progress(o.scene);
  if (!loaded.ok()) return loaded.status();
  const Scene& scene = *loaded;
  SCZ_ASSIGN_OR_RETURN(const Orbit orbit, scene_orbit(scene, o.up));
  SCZ_ASSIGN_OR_RETURN(Camera camera, choose_camera(o.view, o.camera, orbit, o.width, o.height));
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  Result<std::unique_ptr<SceneRenderer>> created = SceneRenderer::create(scene, *context);
  if (!created.ok()) return created.status().with_context(o.scene);
  auto renderer = std::move(*created);
  if (!o.with.empty()) {
    Result<Scene> other = load_with_progress(o.with);
    if (!other.ok()) return other.status();
    SCZ_RETURN_IF_ERROR(renderer->add_scene(*other, *context).with_context(o.with));
  }
  Result<Image> image = [&] {
    Progress progress("rendering");
    return renderer->render(camera, background);
  }();
  if (!image.ok()) return image.status();
  SCZ_RETURN_IF_ERROR(write_png(*image, o.out));
  if (!o.save_camera.empty()) {
    const std::string json = camera_to_inria_json(camera) + "\n";
    SCZ_RETURN_IF_ERROR(write_file_atomic(o.save_camera, json.data(), json.size()).with_context(o.save_camera));
  }
  std::printf("%s: %dx%d, %zu primitives, on %s\n", o.out.c_str(), camera.width, camera.height, scene.primitive_count(),
              context->device_name().c_str());
  return Status::Ok();
}

}  // namespace

void add_render(CLI::App& app, Runner& run) {
  auto o = std::make_shared<RenderOptions>();
  CLI::App* cmd = app.add_subcommand("render", "Render a scene to a PNG image on the GPU (radiance fields by ray marching; their orbit views circle "
                                                 "the field box with +z up).");
  cmd->add_option("scene", o->scene, "Scene file")->required();
  cmd->add_option("--out,-o", o->out, "PNG file to write")->required();
  cmd->add_option("--width", o->width,
                  "Image width in pixels (default: the --camera's own, else 800; one side alone keeps the camera's "
                  "aspect ratio)")
      ->check(CLI::Range(1, kMaxImageSide));
  cmd->add_option("--height", o->height, "Image height in pixels (default: the --camera's own, else 600)")
      ->check(CLI::Range(1, kMaxImageSide));
  cmd->add_option("--view", o->view,
                  "Orbit camera i/n: camera i of n on a ring around the scene's robust bounds, 20 degrees "
                  "above it (up is -y for Gaussians and points, +y for meshes) (default 0/1)");
  cmd->add_option("--camera", o->camera,
                  "Camera FILE:INDEX (overrides --view) from an INRIA cameras.json or a NeRF-synthetic / Instant-NGP "
                  "transforms*.json (frame INDEX: its focal lengths, principal point, pose and image size; lens "
                  "distortion is not drawn: renders are pinhole)");
  cmd->add_option("--with", o->with,
                  "A second scene in the same world: Gaussians with a mesh or point cloud, the Gaussians "
                  "composited over the opaque one with depth (the cameras follow SCENE)");
  cmd->add_option("--up", o->up, kUpHelp);
  cmd->add_option("--background", o->background, "Background colour r,g,b in [0,1] (default 1,1,1)");
  cmd->add_option("--save-camera", o->save_camera,
                  "Also write the camera used as an INRIA cameras.json file, for rendering the same view elsewhere");
  cmd->callback([o, &run] { run = [o] { return run_render(*o); }; });
}

}  // namespace scenezip::cli
