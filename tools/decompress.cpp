// `scenezip decompress IN.scz OUT`: an .scz file back to any writable format.
#include <chrono>
#include <cstdio>

#include "formats/scz/decoder.h"
#include "formats/file_io.h"
#include "formats/formats.h"
#include "tools/command.h"

namespace scenezip::cli {

namespace {

struct DecompressOptions {
  std::string input;
  std::string output;
};

Status run_decompress(const DecompressOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (file_extension(o.input) != ".scz") return invalid_input(o.input + ": decompress reads .scz files");
  Result<Bytes> bytes = [&] {
    Progress progress("reading " + o.input);
    return read_file(o.input);
  }();
  if (!bytes.ok()) return bytes.status().with_context(o.input);
  std::string settings;
  Result<Scene> scene = [&]() -> Result<Scene> {
    Progress progress("decoding");
    return scz::decode_scz(*bytes, &settings);  // any scene kind
  }();
  if (!scene.ok()) return scene.status().with_context(o.input);
  const double decode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string what;
  if (const GaussianCloud* cloud = scene->gaussians()) {
    what = std::to_string(cloud->count) + " Gaussians, SH degree " + std::to_string(cloud->sh_degree);
  } else if (const Mesh* mesh = scene->mesh()) {
    what = "mesh, " + std::to_string(mesh->vertex_count()) + " vertices, " + std::to_string(mesh->triangle_count()) +
           " triangles";
  } else {
    what = std::to_string(scene->points()->count()) + " points";
  }
  {
    Progress progress("writing " + o.output);
    SCZ_RETURN_IF_ERROR(save_scene(*scene, o.output));
  }
  std::printf("%s (scz, %s) -> %s in %.2f s (decoding %.2f s)\nsettings: %s\n", o.input.c_str(), what.c_str(),
              o.output.c_str(), std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
              decode_seconds, settings.c_str());
  return Status::Ok();
}

}  // namespace

void add_decompress(CLI::App& app, Runner& run) {
  auto options = std::make_shared<DecompressOptions>();
  CLI::App* cmd = app.add_subcommand(
      "decompress", "Decode an .scz file and write it in the format OUT's name picks: Gaussians as .ply (INRIA), "
                    ".compressed.ply, .splat, .spz; meshes as .glb .obj .ply .off; point clouds as .ply .pcd .xyz. "
                    "Prints the settings the file was made with.");
  cmd->add_option("input", options->input, "The .scz file to read")->required();
  cmd->add_option("output", options->output, "File to write (written whole or not at all)")->required();
  cmd->callback([options, &run] { run = [options] { return run_decompress(*options); }; });
}

}  // namespace scenezip::cli
