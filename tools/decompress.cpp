// `scenezip decompress IN.scz OUT`: an .scz file back to any writable format.
#include <chrono>
#include <cstdio>

#include "engine/codec/gaussian_decoder.h"
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
  Result<GaussianCloud> cloud = [&]() -> Result<GaussianCloud> {
    Progress progress("decoding");
    SCZ_ASSIGN_OR_RETURN(scz::Container container, scz::parse_container(*bytes));
    settings = container.settings;
    if (container.kind != scz::SceneKindId::kGaussians) {
      return unsupported("holds a mesh or point cloud, which this version cannot decode yet");
    }
    return codec::decode_gaussians(container);
  }();
  if (!cloud.ok()) return cloud.status().with_context(o.input);
  const double decode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::size_t count = cloud->count;
  const int degree = cloud->sh_degree;
  {
    Progress progress("writing " + o.output);
    SCZ_RETURN_IF_ERROR(save_scene(Scene{std::move(*cloud)}, o.output));
  }
  std::printf("%s (scz, %zu Gaussians, SH degree %d) -> %s in %.2f s (decoding %.2f s)\nsettings: %s\n",
              o.input.c_str(), count, degree, o.output.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), decode_seconds,
              settings.c_str());
  return Status::Ok();
}

}  // namespace

void add_decompress(CLI::App& app, Runner& run) {
  auto options = std::make_shared<DecompressOptions>();
  CLI::App* cmd = app.add_subcommand(
      "decompress", "Decode an .scz file and write it in the format OUT's name picks: .ply (INRIA), .compressed.ply, "
                    ".splat, .spz. Prints the settings the file was made with.");
  cmd->add_option("input", options->input, "The .scz file to read")->required();
  cmd->add_option("output", options->output, "File to write (written whole or not at all)")->required();
  cmd->callback([options, &run] { run = [options] { return run_decompress(*options); }; });
}

}  // namespace scenezip::cli
