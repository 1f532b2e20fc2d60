// `scenezip compress IN OUT.scz [--preset P] [--device auto|gpu|cpu] [--json]`: the codec's front door.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/codec/gaussian_encoder.h"
#include "formats/scz/colour_field_layout.h"
#include "formats/scz/gaussian_layout.h"
#include "engine/gpu/kmeans_kernel.h"
#include "engine/gpu/splat_importance.h"
#include "formats/file_io.h"
#include "formats/formats.h"
#include "tools/command.h"
#include "tools/compress_geometry.h"
#include "tools/render_support.h"
#include "engine/field/colour_field_codec.h"
#include "engine/gpu/colour_field_kernel.h"
#include "tools/target_psnr.h"

namespace scenezip::cli {

namespace {

struct CompressOptions {
  std::string input;
  std::string output;
  std::string preset = "balanced";
  std::string settings_file;
  int threads = 0;
  std::string device = "auto";  // where k-means runs: auto, gpu or cpu
  double target_psnr = 0.0;      // 0: use the preset or settings as given
  TargetPsnrOptions target;
  std::string colour;        // empty: as the preset or settings say
  std::string colour_field;  // field settings JSON, or @file; empty: as the settings say
  bool json = false;
};

const char* codec_name(scz::Codec c) { return c == scz::Codec::kZstd ? "zstd" : "raw"; }

std::string stream_name(std::uint16_t id) {
  if (id == scz::kLayoutStream) return "layout";
  if (id == scz::kPositionStream) return "positions";
  for (int a = 0; a < scz::kAttributeCount; ++a) {
    const auto attribute = static_cast<scz::Attribute>(a);
    if (id == scz::codebook_stream(attribute)) return std::string(scz::attribute_name(attribute)) + " codebook";
    if (id == scz::index_stream(attribute)) return std::string(scz::attribute_name(attribute)) + " indices";
    if (id == scz::transform_stream(attribute)) return std::string(scz::attribute_name(attribute)) + " transform";
  }
  if (id == scz::kColourFieldHeaderStream) return "colour field header";
  if (id == scz::kColourFieldFeatureStream) return "colour field features";
  if (id == scz::kColourFieldWeightStream) return "colour field weights";
  return "stream " + std::to_string(id);
}

Result<codec::GaussianCodecSettings> choose_settings(const CompressOptions& o) {
  if (o.settings_file.empty()) return codec::preset_settings(o.preset);
  Result<Bytes> read = read_file(o.settings_file);
  if (!read.ok()) return read.status().with_context(o.settings_file);
  const Bytes& text = *read;
  auto settings = codec::settings_from_json(std::string(text.begin(), text.end()));
  if (!settings.ok()) return settings.status().with_context(o.settings_file);
  return settings;
}

// Where k-means runs. "auto" takes a Vulkan GPU when there is one and the C++ reference
// otherwise (a CPU Vulkan driver is no faster than it); "gpu" takes any Vulkan device,
// the CPU driver included; "cpu" never touches Vulkan.
struct KMeansDevice {
  std::unique_ptr<gpu::Context> context;
  codec::EncoderAccelerators accelerators;  // declared after the context: released before it
  std::string kind = "cpu";
  std::string name = "C++ reference";
};

Result<KMeansDevice> choose_kmeans_device(const std::string& device) {
  KMeansDevice chosen;
  if (device == "cpu") return chosen;
  auto context = gpu::Context::create();
  if (!context.ok()) {
    if (device == "auto") {
      std::fprintf(stderr, "scenezip: note: %s; k-means runs on the CPU\n", context.status().message().c_str());
      return chosen;
    }
    return context.status().with_context("--device gpu");
  }
  if (device == "auto" && (*context)->cpu_driver()) return chosen;
  SCZ_RETURN_IF_ERROR(gpu::use_gpu_kmeans(**context, &chosen.accelerators).with_context("--device " + device));
  chosen.context = std::move(*context);
  chosen.kind = "gpu";
  chosen.name = chosen.context->device_name();
  return chosen;
}

Status run_compress(const CompressOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (file_extension(o.output) != ".scz") {
    return invalid_input(o.output + ": compress writes .scz files (use 'scenezip convert' for other formats)");
  }
  FileFormat format = FileFormat::kUnknown;
  Result<Scene> loaded = load_with_progress(o.input, &format);
  if (!loaded.ok()) return loaded.status();
  const GaussianCloud* cloud = loaded->gaussians();
  if (!cloud) {
    if (o.target_psnr > 0.0) return invalid_input(o.input + ": --target-psnr applies to Gaussian scenes only");
    // Meshes and point clouds have codecs and settings of their own.
    return compress_geometry({o.input, o.output, o.preset, o.settings_file, o.threads, o.json, format, start}, *loaded);
  }
  SCZ_ASSIGN_OR_RETURN(codec::GaussianCodecSettings settings, choose_settings(o));
  settings.threads = o.threads;
  if (!o.colour.empty()) settings.colour = o.colour;
  if (!o.colour_field.empty()) {
    if (o.colour_field[0] == '@') {
      SCZ_ASSIGN_OR_RETURN(const Bytes text, read_file(o.colour_field.substr(1)));
      settings.colour_field.assign(text.begin(), text.end());
    } else {
      settings.colour_field = o.colour_field;
    }
  }
  SCZ_RETURN_IF_ERROR(codec::check_settings(settings).with_context("--colour-field"));
  const std::uint64_t input_bytes = scene_bytes_on_disk(o.input);

  SCZ_ASSIGN_OR_RETURN(KMeansDevice kmeans_device, choose_kmeans_device(o.device));
  const std::string kmeans_on = " on " + kmeans_device.kind + " (" + kmeans_device.name + ")";
  std::string importance_on = "C++ reference";
  // --target-psnr's lowest levels prune by importance from views.
  if (kmeans_device.context && settings.importance_source == "views" &&
      (codec::needs_importance(settings) || o.target_psnr > 0.0)) {
    gpu::Context* context = kmeans_device.context.get();
    kmeans_device.accelerators.blend_weights = [context](const GaussianCloud& c, const std::vector<Camera>& views) {
      return gpu::blend_weights_gpu(*context, c, views);
    };
    importance_on = context->device_name();
  }

  // A colour field fits on the GPU with one, else on the C++ reference (slow: small scenes).
  {
    gpu::Context* context = kmeans_device.context.get();
    kmeans_device.accelerators.fit_colour_field = [context](const GaussianCloud& c,
                                                            const codec::GaussianCodecSettings& s) {
      const field::ColourTarget target =
          s.colour == "field-full" ? field::ColourTarget::kFull : field::ColourTarget::kViewDependent;
      field::ColourFitFunction fit = field::fit_colour_field_cpu;
      if (context) {
        fit = [context](const field::ColourFieldData& d, field::ColourTarget t, field::FieldModel* m) {
          return gpu::fit_colour_field_gpu(*context, d, t, m);
        };
      }
      return field::fit_and_store_colour_field(c, target, s.colour_field, fit);
    };
  }

  codec::GaussianEncodeReport report;
  std::optional<Progress> stage;
  auto encode = [&](const codec::GaussianCodecSettings& chosen, codec::GaussianEncodeReport* chosen_report) {
    auto bytes = codec::encode_gaussians(
        *cloud, chosen, chosen_report,
        [&](const std::string& name) {
          stage.reset();
          stage.emplace(name.rfind("k-means", 0) == 0 ? name + kmeans_on
                        : name == "importance"       ? name + " on " + importance_on
                                                     : name);
        },
        kmeans_device.accelerators);
    stage.reset();
    return bytes;
  };
  const auto encode_start = std::chrono::steady_clock::now();
  Result<Bytes> encoded = Bytes();
  double target_psnr_reached = 0.0;
  std::vector<TargetPsnrTrial> target_trials;
  if (o.target_psnr > 0.0) {
    // Renders for the search run where k-means does, or on any Vulkan device.
    std::unique_ptr<gpu::Context> own_context;
    gpu::Context* context = kmeans_device.context.get();
    if (!context) {
      SCZ_ASSIGN_OR_RETURN(own_context, gpu::Context::create());
      context = own_context.get();
    }
    TargetPsnrOptions target = o.target;
    target.target_db = o.target_psnr;
    // Fitting a field per trial takes seconds on a GPU and minutes on the C++ reference.
    if (o.colour.rfind("field", 0) == 0) {
      return invalid_input("--target-psnr chooses the colour itself: give --colour sh or nothing");
    }
    target.try_colour_field = o.colour.empty() && kmeans_device.kind == "gpu";
    if (!o.colour_field.empty()) target.colour_field = settings.colour_field;
    auto searched = search_target_psnr(*loaded, target, settings, *context, encode);
    if (!searched.ok()) return searched.status().with_context(o.input);
    settings = std::move(searched->settings);
    report = std::move(searched->report);
    encoded = std::move(searched->encoded);
    target_psnr_reached = searched->psnr;
    target_trials = std::move(searched->trials);
  } else {
    encoded = encode(settings, &report);
  }
  if (!encoded.ok()) return encoded.status().with_context(o.input);
  const double encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - encode_start).count();
  {
    Progress progress("writing " + o.output);
    SCZ_RETURN_IF_ERROR(write_file_atomic(o.output, *encoded).with_context(o.output));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::uint64_t output_bytes = encoded->size();
  const double ratio = output_bytes ? static_cast<double>(input_bytes) / output_bytes : 0.0;
  const double per_gaussian = report.count_out ? static_cast<double>(output_bytes) / report.count_out : 0.0;
  const codec::PruneReport& p = report.prune;

  nlohmann::ordered_json j;
  j["input"] = o.input;
  j["output"] = o.output;
  j["input_format"] = format_name(format);
  j["input_bytes"] = input_bytes;
  j["output_bytes"] = output_bytes;
  j["ratio"] = ratio;
  j["bytes_per_gaussian"] = per_gaussian;
  j["count_in"] = p.count_in;
  j["count_out"] = report.count_out;
  j["pruned"] = {
      {"non_finite", p.non_finite}, {"transparent", p.transparent}, {"tiny", p.tiny}, {"unimportant", p.unimportant}};
  j["importance_kept"] = p.importance_kept;
  j["sh_degree_in"] = p.sh_degree_in;
  j["sh_degree_out"] = p.sh_degree_out;
  j["sh_band_rms"] = p.band_rms;
  j["seconds"] = seconds;
  j["encode_seconds"] = encode_seconds;
  j["kmeans_device"] = kmeans_device.kind;
  j["kmeans_device_name"] = kmeans_device.name;
  if (codec::needs_importance(settings)) j["importance_device"] = importance_on;
  j["position_bits"] = report.position_bits;
  j["position_step"] = report.position_step;
  if (o.target_psnr > 0.0) {
    nlohmann::ordered_json trials = nlohmann::json::array();
    for (const auto& t : target_trials) {
      trials.push_back({{"level", t.level}, {"colour", t.colour}, {"bytes", t.bytes}, {"psnr", t.psnr}});
    }
    j["target_psnr"] = {{"target", o.target_psnr},
                        {"psnr", target_psnr_reached},
                        {"views", o.target.views},
                        {"width", o.target.width},
                        {"height", o.target.height},
                        {"trials", trials}};
  }
  j["settings"] = nlohmann::ordered_json::parse(codec::settings_to_json(settings));
  nlohmann::ordered_json attributes = nlohmann::json::array();
  for (const auto& a : report.attributes) {
    attributes.push_back(
        {{"name", a.name}, {"codebook_sizes", a.codebook_sizes}, {"rms_error", a.rms_error}, {"seconds", a.seconds}});
  }
  j["attributes"] = attributes;
  nlohmann::ordered_json streams = nlohmann::json::array();
  for (const auto& s : report.streams) {
    streams.push_back({{"id", s.id},
                       {"name", stream_name(s.id)},
                       {"codec", codec_name(s.codec)},
                       {"raw_bytes", s.raw_size},
                       {"stored_bytes", s.stored_size}});
  }
  j["streams"] = streams;
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("input:    %s (%s, %zu Gaussians, SH degree %d), %llu bytes\n", o.input.c_str(), format_name(format),
              p.count_in, p.sh_degree_in, static_cast<unsigned long long>(input_bytes));
  std::printf("output:   %s, %llu bytes (%.2f per Gaussian)\n", o.output.c_str(),
              static_cast<unsigned long long>(output_bytes), per_gaussian);
  std::printf("ratio:    %.2fx\n", ratio);
  std::printf("count:    %zu -> %zu (pruned %zu non-finite, %zu transparent, %zu tiny, %zu unimportant), SH degree %d -> %d\n",
              p.count_in, report.count_out, p.non_finite, p.transparent, p.tiny, p.unimportant, p.sh_degree_in,
              p.sh_degree_out);
  std::printf("time:     %.2f s (encoding %.2f s)\n", seconds, encode_seconds);
  std::printf("k-means:  %s (%s)\n", kmeans_device.kind.c_str(), kmeans_device.name.c_str());
  if (o.target_psnr > 0.0) {
    std::printf("target:   %.2f dB reached with %.2f dB (%s; %zu levels tried)\n", o.target_psnr, target_psnr_reached,
                settings.preset.c_str(), target_trials.size());
  }
  std::printf("streams:\n");
  for (const auto& s : report.streams) {
    std::printf("  %-18s %-4s %10llu -> %10llu bytes (%.2f per Gaussian)\n", stream_name(s.id).c_str(),
                codec_name(s.codec), static_cast<unsigned long long>(s.raw_size),
                static_cast<unsigned long long>(s.stored_size),
                report.count_out ? static_cast<double>(s.stored_size) / report.count_out : 0.0);
  }
  std::printf("quantization RMS error: position step %.3g (%d bits)", report.position_step, report.position_bits);
  for (const auto& a : report.attributes) std::printf(", %s %.3g", a.name.c_str(), a.rms_error);
  std::printf("\nsettings: %s\n", codec::settings_to_json(settings).c_str());
  return Status::Ok();
}

}  // namespace

void add_compress(CLI::App& app, Runner& run) {
  auto options = std::make_shared<CompressOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compress",
      "Compress a scene to .scz. Gaussians: prune, Morton-ordered quantized positions, k-means codebooks per "
      "attribute slice (sub-vector quantization), zstd. Meshes: vertex-cache triangle order, quantized positions, "
      "octahedral normals, texture coordinates and colours, delta-coded indices, textures kept as they are, zstd. "
      "Point clouds: Morton-ordered quantized positions, normals, colours, zstd. The settings used are printed and "
      "stored in the file.");
  cmd->add_option("input", options->input,
                  "Scene to read: Gaussians (.ply .splat .spz .sog .compressed.ply), a mesh (.gltf .glb .obj .off "
                  ".ply) or a point cloud (.ply .pcd .xyz)")
      ->required();
  cmd->add_option("output", options->output, "The .scz file to write (written whole or not at all)")->required();
  cmd->add_option("--preset", options->preset, "Parameter set: high, balanced (default) or small")
      ->check(CLI::IsMember(codec::preset_names()));
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
                  "Where the colour goes: sh (SH coefficients, sub-vector quantized), field-view (a hash-grid field "
                  "for SH bands 1-3, the DC per Gaussian) or field-full (a field for all of it); default: as the "
                  "preset or settings say")
      ->check(CLI::IsMember({"sh", "field-view", "field-full"}));
  cmd->add_option("--colour-field", options->colour_field,
                  "The colour field's settings as JSON text or @file (as 'scenezip field-fit --config' takes)");
  cmd->add_flag("--json", options->json, "Print one JSON object instead of text");
  cmd->callback([options, &run] { run = [options] { return run_compress(*options); }; });
}

}  // namespace scenezip::cli
