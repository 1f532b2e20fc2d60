// `scenezip info FILE [--json]`: what a scene file holds.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "formats/file_io.h"
#include "formats/formats.h"
#include "tools/command.h"
#include "tools/radiance_field_cli.h"

namespace scenezip::cli {

namespace {

struct InfoOptions {
  std::string path;
  bool json = false;
};

Status run_info(const InfoOptions& options) {
  SCZ_ASSIGN_OR_RETURN(const std::optional<field::DecodedNerf> radiance, load_radiance_field(options.path));
  if (radiance) return print_radiance_field_info(options.path, *radiance, options.json);
  FileFormat format = FileFormat::kUnknown;
  Result<Scene> loaded = load_with_progress(options.path, &format);
  if (!loaded.ok()) return loaded.status();
  const Scene& scene = *loaded;
  const std::uint64_t bytes = scene_bytes_on_disk(options.path);
  const Bounds bounds = scene.bounds();
  const std::size_t count = scene.primitive_count();

  nlohmann::ordered_json j;
  j["file"] = options.path;
  j["kind"] = scene_kind_name(scene.kind());
  j["format"] = format_name(format);
  j["count"] = count;
  if (const GaussianCloud* g = scene.gaussians()) j["sh_degree"] = g->sh_degree;
  if (const Mesh* m = scene.mesh()) {
    j["vertices"] = m->vertex_count();
    j["triangles"] = m->triangle_count();
    j["materials"] = m->materials.size();
    j["textures"] = m->textures.size();
  }
  if (const PointCloud* p = scene.points()) {
    j["points"] = p->count();
    j["has_colors"] = !p->colors.empty();
    j["has_normals"] = !p->normals.empty();
  }
  j["bounds"] = {{"min", bounds.min}, {"max", bounds.max}};
  j["bytes"] = bytes;
  j["bytes_per_primitive"] = count ? static_cast<double>(bytes) / count : 0.0;

  if (options.json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("file:      %s\n", options.path.c_str());
  std::printf("kind:      %s\n", scene_kind_name(scene.kind()));
  std::printf("format:    %s\n", format_name(format));
  if (const GaussianCloud* g = scene.gaussians()) {
    std::printf("gaussians: %zu\nsh degree: %d\n", g->count, g->sh_degree);
  } else if (const Mesh* m = scene.mesh()) {
    std::printf("vertices:  %zu\ntriangles: %zu\nmaterials: %zu\ntextures:  %zu\n", m->vertex_count(),
                m->triangle_count(), m->materials.size(), m->textures.size());
  } else if (const PointCloud* p = scene.points()) {
    std::printf("points:    %zu\ncolors:    %s\nnormals:   %s\n", p->count(), p->colors.empty() ? "no" : "yes",
                p->normals.empty() ? "no" : "yes");
  }
  std::printf("bounds:    [%g, %g, %g] .. [%g, %g, %g]\n", bounds.min[0], bounds.min[1], bounds.min[2], bounds.max[0],
              bounds.max[1], bounds.max[2]);
  std::printf("bytes:     %llu (%.2f per %s)\n", static_cast<unsigned long long>(bytes),
              count ? static_cast<double>(bytes) / count : 0.0,
              scene.kind() == SceneKind::kGaussians ? "Gaussian" : scene.kind() == SceneKind::kMesh ? "vertex" : "point");
  return Status::Ok();
}

}  // namespace

void add_info(CLI::App& app, Runner& run) {
  auto options = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Print what a scene file holds: kind, format, counts, SH degree, "
                                             "bounds, bytes and bytes per primitive.");
  cmd->add_option("file", options->path, "Scene file (.ply .splat .spz .sog meta.json .gltf .glb .obj .off .pcd .xyz)")
      ->required();
  cmd->add_flag("--json", options->json, "Print one JSON object instead of text");
  cmd->callback([options, &run] { run = [options] { return run_info(*options); }; });
}

}  // namespace scenezip::cli
