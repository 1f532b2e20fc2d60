// `scenezip compress IN OUT.scz [--preset P | --settings FILE | --target-psnr DB] [--json]`:
// flags to settings, codec::encode_scene, the file written whole, the report printed.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/codec/scene_encoder.h"
#include "formats/file_io.h"
#include "formats/formats.h"
#include "tools/command.h"
#include "tools/compress_report.h"
#include "tools/encoder_devices.h"
#include "tools/render_support.h"
#include "tools/target_psnr.h"

namespace scenezip::cli {

namespace {

struct CompressOptions {
  std::string input;
  std::string output;
  std::string preset = "balanced";
  std::string settings_file;
  int threads = 0;
  std::string device = "auto";  // where the Gaussian encoder's k-means runs: auto, gpu or cpu
  double target_psnr = 0.0;      // 0: use the preset or settings as given
  TargetPsnrOptions target;
  std::string colour;        // empty: as the preset or settings say
  std::string colour_field;  // field settings JSON, or @file; empty: as the settings say
  bool json = false;
};

// The preset of the scene's kind, or the settings file (JSON as compress --json prints it).
Result<codec::SceneSettings> choose_settings(const CompressOptions& o, SceneKind kind) {
  if (o.settings_file.empty()) {
    auto preset = codec::preset_settings(kind, o.preset);
    if (!preset.ok()) return preset.status().with_context(o.input);
    return preset;
  }
  Result<Bytes> read = read_file(o.settings_file);
  if (!read.ok()) return read.status().with_context(o.settings_file);
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(std::string(read->begin(), read->end()));
  } catch (const nlohmann::json::exception& e) {
    return invalid_input(std::string("settings JSON: ") + e.what()).with_context(o.settings_file);
  }
  auto settings = codec::settings_from_json(kind, json);
  if (!settings.ok()) return settings.status().with_context(o.settings_file);
  return settings;
}

Status run_compress(const CompressOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (file_extension(o.output) != ".scz") {
    return invalid_input(o.output + ": compress writes .scz files (use 'scenezip convert' for other formats)");
  }
  CompressSummary summary;
  summary.input = o.input;
  summary.output = o.output;
  Result<Scene> loaded = load_with_progress(o.input, &summary.input_format);
  if (!loaded.ok()) return loaded.status();
  const Scene& scene = *loaded;
  if (o.target_psnr > 0.0 && !scene.gaussians()) {
    return invalid_input(o.input + ": --target-psnr applies to Gaussian scenes only");
  }
  SCZ_ASSIGN_OR_RETURN(summary.settings, choose_settings(o, scene.kind()));
  codec::set_threads(summary.settings, o.threads);
  if (auto* settings = std::get_if<codec::GaussianCodecSettings>(&summary.settings)) {
    if (!o.colour.empty()) settings->colour = o.colour;
    if (!o.colour_field.empty()) {
      if (o.colour_field[0] == '@') {
        SCZ_ASSIGN_OR_RETURN(const Bytes text, read_file(o.colour_field.substr(1)));
        settings->colour_field.assign(text.begin(), text.end());
      } else {
        settings->colour_field = o.colour_field;
      }
    }
    SCZ_RETURN_IF_ERROR(codec::check_settings(*settings).with_context("--colour-field"));
  } else if (!o.colour.empty() || !o.colour_field.empty()) {
    return invalid_input(o.input + ": --colour and --colour-field apply to Gaussian scenes only");
  }

  EncoderGpu gpu;
  if (const auto* settings = std::get_if<codec::GaussianCodecSettings>(&summary.settings)) {
    SCZ_ASSIGN_OR_RETURN(gpu, choose_encoder_gpu(o.device, *settings,
                                                 codec::needs_importance(*settings) || o.target_psnr > 0.0));
    summary.devices = gpu.devices;
  }
  std::optional<Progress> stage;
  // Progress names the device where the Gaussian encoder's heavy stages run.
  auto on_stage = [&](const std::string& name) {
    stage.reset();
    const EncoderDevices* d = summary.devices ? &*summary.devices : nullptr;
    stage.emplace(!d                                ? name
                  : name.rfind("k-means", 0) == 0 ? name + " on " + d->kmeans_kind + " (" + d->kmeans_name + ")"
                  : name == "importance"          ? name + " on " + d->importance_name
                                                  : name);
  };

  const auto encode_start = std::chrono::steady_clock::now();
  Result<Bytes> encoded = Bytes();
  if (o.target_psnr > 0.0) {
    // Renders for the search run where k-means does, or on any Vulkan device.
    std::unique_ptr<gpu::Context> own_context;
    gpu::Context* context = gpu.context.get();
    if (!context) {
      SCZ_ASSIGN_OR_RETURN(own_context, gpu::Context::create());
      context = own_context.get();
    }
    // Every trial renders the same importance views of the same Gaussians: once is enough.
    codec::EncoderAccelerators accelerators = gpu.accelerators;
    accelerators.blend_weights = codec::remembering_blend_weights(
        gpu.accelerators.blend_weights, std::get<codec::GaussianCodecSettings>(summary.settings).threads);
    auto encode = [&](const codec::GaussianCodecSettings& s, codec::GaussianEncodeReport* report) {
      auto bytes = codec::encode_gaussians(*scene.gaussians(), s, report, on_stage, accelerators);
      stage.reset();
      return bytes;
    };
    TargetPsnrSummary target{o.target, 0.0, {}};
    target.options.target_db = o.target_psnr;
    // Fitting a field per trial takes seconds on a GPU and minutes on the C++ reference.
    if (o.colour.rfind("field", 0) == 0) {
      return invalid_input("--target-psnr chooses the colour itself: give --colour sh or nothing");
    }
    target.options.try_colour_field = o.colour.empty() && gpu.context != nullptr;
    if (!o.colour_field.empty()) {
      target.options.colour_field = std::get<codec::GaussianCodecSettings>(summary.settings).colour_field;
    }
    auto searched = search_target_psnr(scene, target.options, std::get<codec::GaussianCodecSettings>(summary.settings),
                                       *context, encode);
    if (!searched.ok()) return searched.status().with_context(o.input);
    summary.settings = std::move(searched->settings);
    summary.report = std::move(searched->report);
    encoded = std::move(searched->encoded);
    target.psnr = searched->psnr;
    target.trials = std::move(searched->trials);
    summary.target = std::move(target);
  } else {
    encoded = codec::encode_scene(scene, summary.settings, &summary.report, on_stage, gpu.accelerators);
    stage.reset();
  }
  if (!encoded.ok()) return encoded.status().with_context(o.input);
  summary.encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - encode_start).count();
  {
    Progress progress("writing " + o.output);
    SCZ_RETURN_IF_ERROR(write_file_atomic(o.output, *encoded).with_context(o.output));
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.input_bytes = scene_bytes_on_disk(o.input);
  summary.output_bytes = encoded->size();
  print_compress_report(summary, o.json);
  return Status::Ok();
}

}  // namespace

void add_compress(CLI::App& app, Runner& run) {
  auto options = std::make_shared<CompressOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compress",
      "Compress a scene to .scz. Gaussians: prune, Morton-ordered quantized positions, k-means codebooks per "
      "attribute slice (sub-vector quantization), positions and indices range coded where that beats zstd, the "
      "rest zstd. Meshes: vertex-cache triangle order, quantized positions, "
      "octahedral normals, texture coordinates and colours, delta-coded indices, textures kept as they are, zstd. "
      "Point clouds: Morton-ordered quantized positions, normals, colours, zstd. The settings used are printed and "
      "stored in the file.");
  cmd->add_option("input", options->input,
                  "Scene to read: Gaussians (.ply .splat .spz .sog .compressed.ply), a mesh (.gltf .glb .obj .off "
                  ".ply) or a point cloud (.ply .pcd .xyz)")
      ->required();
  cmd->add_option("output", options->output, "The .scz file to write (written whole or not at all)")->required();
  cmd->add_option("--preset", options->preset, "Parameter set: high, balanced (default) or small")
      ->check(CLI::IsMember(codec::all_preset_names()));
  cmd->add_option("--settings", options->settings_file,
                  "JSON settings file instead of a preset (the format compress --json prints under 'settings')");
  cmd->add_option("--threads", options->threads, "Threads for k-means and compression (default: all)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--device", options->device,
                  "Where k-means runs: auto (default: a Vulkan GPU if there is one, else the CPU), gpu (any Vulkan "
                  "device, the CPU driver included) or cpu (the C++ reference); importance views render there too")
      ->check(CLI::IsMember({"auto", "gpu", "cpu"}));
  auto* target = cmd->add_option("--target-psnr", options->target_psnr,
                                 "Instead of a preset: the smallest file on the quality ladder whose render keeps this "
                                 "PSNR in dB against the original (as 'scenezip eval' measures it); the chosen settings "
                                 "are printed and stored");
  target->excludes("--preset");
  target->excludes("--settings");
  cmd->add_option("--target-views", options->target.views, "Orbit views --target-psnr averages over (default 8)");
  cmd->add_option("--target-width", options->target.width, "Image width for --target-psnr (default 512)");
  cmd->add_option("--target-height", options->target.height, "Image height for --target-psnr (default 512)");
  cmd->add_option("--up", options->target.up, kUpHelp);
  cmd->add_option("--colour", options->colour,
                  "Where a Gaussian scene's colour goes: sh (SH coefficients, sub-vector quantized), field-view (a "
                  "hash-grid field for SH bands 1-3, the DC per Gaussian) or field-full (a field for all of it); "
                  "default: as the preset or settings say")
      ->check(CLI::IsMember({"sh", "field-view", "field-full"}));
  cmd->add_option("--colour-field", options->colour_field,
                  "The colour field's settings as JSON text or @file (as 'scenezip field-fit --config' takes)");
  cmd->add_flag("--json", options->json, "Print one JSON object instead of text");
  cmd->callback([options, &run] { run = [options] { return run_compress(*options); }; });
}

}  // namespace scenezip::cli
