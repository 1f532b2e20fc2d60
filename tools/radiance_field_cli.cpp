#include "tools/radiance_field_cli.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/gpu/nerf_trainer.h"
#include "formats/file_io.h"
#include "formats/scz/container.h"
#include "tools/command.h"
#include "tools/render_support.h"

namespace scenezip::cli {

Status render_radiance_field(const std::string& path, const field::DecodedNerf& f, const FieldRenderRequest& r) {
  Camera camera;
  if (!r.camera.empty()) {
    SCZ_ASSIGN_OR_RETURN(camera, choose_camera(r.view, r.camera, Orbit{}, r.width, r.height));
  } else {
    int index = 0, count = 1;
    const auto slash = r.view.find('/');
    if (slash == std::string::npos ||
        std::from_chars(r.view.data(), r.view.data() + slash, index).ec != std::errc() ||
        std::from_chars(r.view.data() + slash + 1, r.view.data() + r.view.size(), count).ec != std::errc() ||
        count < 1 || index < 0 || index >= count) {
      return invalid_input("--view takes i/n with 0 <= i < n, got '" + r.view + "'");
    }
    camera = field_orbit_camera(f.settings, index, count, r.width > 0 ? r.width : kDefaultWidth,
                                r.height > 0 ? r.height : kDefaultHeight);
  }
  field::NerfSettings settings = f.settings;
  if (r.background) settings.background = *r.background;
  SCZ_ASSIGN_OR_RETURN(auto context, gpu::Context::create());
  SCZ_ASSIGN_OR_RETURN(auto renderer, gpu::NerfRenderer::create(*context, f.model, settings, f.grid));
  Result<Image> image = [&] {
    Progress progress("ray marching " + path);
    return renderer->render(camera);
  }();
  if (!image.ok()) return image.status();
  SCZ_RETURN_IF_ERROR(write_png(*image, r.out));
  std::printf("%s: %dx%d, radiance field, %.1f ms, on %s\n", r.out.c_str(), camera.width, camera.height,
              renderer->last_ms(), context->device_name().c_str());
  return Status::Ok();
}

Status print_radiance_field_info(const std::string& path, const field::DecodedNerf& f, bool json) {
  const std::uint64_t bytes = scene_bytes_on_disk(path);
  const field::FieldConfig& c = f.model.config();
  nlohmann::ordered_json j;
  j["file"] = path;
  j["kind"] = "radiance field";
  j["format"] = "scz";
  j["occupied_cells"] = f.occupied_cells;
  j["grid_resolution"] = f.settings.grid_resolution;
  j["hash_entries"] = f.model.layout().entries;
  j["kept_entries"] = f.kept_entries;
  j["parameters"] = f.model.parameter_count();
  j["config"] = nlohmann::json::parse(field::field_config_json(c));
  j["nerf"] = nlohmann::json::parse(field::nerf_settings_json(f.settings));
  j["bytes"] = bytes;
  if (json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("file:      %s\n", path.c_str());
  std::printf("kind:      radiance field\nformat:    scz\n");
  std::printf("grid:      %d^3 cells, %u occupied\n", f.settings.grid_resolution, f.occupied_cells);
  std::printf("hash grid: %d levels x %d features, %u of %u entries kept\n", c.levels, c.features, f.kept_entries,
              f.model.layout().entries);
  std::printf("mlp:       %d hidden layers of %d, SH degree %d directions\n", c.hidden_layers, c.hidden_width,
              c.direction_degree);
  std::printf("box:       centre [%g, %g, %g], side %g\n", f.settings.box_centre[0], f.settings.box_centre[1],
              f.settings.box_centre[2], f.settings.box_size);
  std::printf("bytes:     %llu\n", static_cast<unsigned long long>(bytes));
  return Status::Ok();
}

}  // namespace scenezip::cli
