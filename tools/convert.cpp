// `scenezip convert IN OUT`: rewrites a scene in another format, chosen by OUT's name.
#include <cstdio>

#include "formats/formats.h"
#include "tools/command.h"
#include "tools/render_support.h"

namespace scenezip::cli {

namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
  int copies = 1;
};

Status run_convert(const ConvertOptions& options) {
  FileFormat format = FileFormat::kUnknown;
  Result<Scene> loaded = load_with_progress(options.input, &format);
  if (!loaded.ok()) return loaded.status();
  const std::size_t read_count = loaded->primitive_count();
  if (options.copies != 1) {
    GaussianCloud* cloud = loaded->gaussians();
    if (!cloud) return invalid_input(options.input + ": --copies applies to Gaussian scenes only");
    SCZ_ASSIGN_OR_RETURN(GaussianCloud copies, replicate_on_grid(*cloud, options.copies));
    *cloud = std::move(copies);
  }
  {
    Progress progress("writing " + options.output);
    SCZ_RETURN_IF_ERROR(save_scene(*loaded, options.output));
  }
  std::printf("%s (%s, %zu %s) -> %s", options.input.c_str(), format_name(format), read_count,
              scene_kind_name(loaded->kind()), options.output.c_str());
  if (options.copies != 1) std::printf(" (%d copies, %zu)", options.copies, loaded->primitive_count());
  std::printf("\n");
  return Status::Ok();
}

}  // namespace

void add_convert(CLI::App& app, Runner& run) {
  auto options = std::make_shared<ConvertOptions>();
  CLI::App* cmd = app.add_subcommand(
      "convert",
      "Convert a scene to another format; OUT's name picks it. Gaussians: .ply (INRIA), .compressed.ply "
      "(PlayCanvas), .splat, .spz. Meshes: .glb, .obj, .ply, .off. Points: .ply, .pcd, .xyz.");
  cmd->add_option("input", options->input, "Scene to read")->required();
  cmd->add_option("output", options->output, "File to write (written whole or not at all)")->required();
  cmd->add_option("--copies", options->copies,
                  "Gaussians: write this many copies of the scene side by side, the grid of bench --copies "
                  "(default 1), so other renderers can be timed on the same scene");
  cmd->callback([options, &run] { run = [options] { return run_convert(*options); }; });
}

}  // namespace scenezip::cli
