// `scenezip convert IN OUT`: rewrites a scene in another format, chosen by OUT's name.
#include <cstdio>
#include <string>
#include <vector>

#include "formats/formats.h"
#include "tools/command.h"
#include "tools/render_support.h"

namespace scenezip::cli {

namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
  int copies = 1;
  std::vector<std::string> mixed;  // --mix: other Gaussian scenes for the grid's cells
};

Status run_convert(const ConvertOptions& options) {
  FileFormat format = FileFormat::kUnknown;
  Result<Scene> loaded = load_with_progress(options.input, &format);
  if (!loaded.ok()) return loaded.status();
  const std::size_t read_count = loaded->primitive_count();
  // With --mix and no --copies, one cell for each scene.
  const int copies = !options.mixed.empty() && options.copies == 1 ? static_cast<int>(options.mixed.size()) + 1
                                                                     : options.copies;
  if (copies != 1) {
    GaussianCloud* cloud = loaded->gaussians();
    if (!cloud) return invalid_input(options.input + ": --copies and --mix apply to Gaussian scenes only");
    std::vector<Scene> others;
    others.reserve(options.mixed.size());  // the pointers below stay valid
    std::vector<const GaussianCloud*> scenes{cloud};
    for (const std::string& path : options.mixed) {
      SCZ_ASSIGN_OR_RETURN(Scene other, load_with_progress(path));
      if (!other.gaussians()) return invalid_input(path + ": --mix takes Gaussian scenes only");
      others.push_back(std::move(other));
      scenes.push_back(others.back().gaussians());
    }
    SCZ_ASSIGN_OR_RETURN(GaussianCloud grid, mix_on_grid(scenes, copies));
    *cloud = std::move(grid);
  }
  {
    Progress progress("writing " + options.output);
    SCZ_RETURN_IF_ERROR(save_scene(*loaded, options.output));
  }
  std::printf("%s (%s, %zu %s) -> %s", options.input.c_str(), format_name(format), read_count,
              scene_kind_name(loaded->kind()), options.output.c_str());
  if (copies != 1 && options.mixed.empty()) std::printf(" (%d copies, %zu)", copies, loaded->primitive_count());
  if (!options.mixed.empty()) {
    std::printf(" (%d cells of %zu scenes, %zu)", copies, options.mixed.size() + 1, loaded->primitive_count());
  }
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
  cmd->add_option("--mix", options->mixed,
                  "Gaussians: another scene for the grid (repeat for more): the cells take the input and these "
                  "in turn, each scaled to fit the input's footprint, at the highest SH degree among them, so the "
                  "grid is a city of different scenes rather than replicas (default --copies: one cell each)")
      ->type_size(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->callback([options, &run] { run = [options] { return run_convert(*options); }; });
}

}  // namespace scenezip::cli
