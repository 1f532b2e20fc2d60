#include "tools/compress_report.h"

#include <cstdio>

#include "engine/codec/importance_prune.h"
#include "formats/scz/decoder.h"

namespace scenezip::cli {

namespace {

// What a primitive of the kind is called in "bytes per ..." ("Gaussian", "vertex", "point").
const char* unit_name(SceneKind kind) {
  switch (kind) {
    case SceneKind::kGaussians: return "Gaussian";
    case SceneKind::kMesh: return "vertex";
    case SceneKind::kPoints: return "point";
  }
  return "primitive";
}

std::string unit_key(SceneKind kind) {
  std::string unit = unit_name(kind);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "bytes_per_" + unit;
}

double per_primitive(std::uint64_t bytes, std::size_t count) {
  return count ? static_cast<double>(bytes) / static_cast<double>(count) : 0.0;
}

void add_gaussian_details(const codec::GaussianEncodeReport& r, nlohmann::ordered_json& j) {
  const codec::PruneReport& p = r.prune;
  j["pruned"] = {
      {"non_finite", p.non_finite}, {"transparent", p.transparent}, {"tiny", p.tiny}, {"unimportant", p.unimportant}};
  j["importance_kept"] = p.importance_kept;
  j["sh_degree_in"] = p.sh_degree_in;
  j["sh_degree_out"] = p.sh_degree_out;
  j["sh_band_rms"] = p.band_rms;
  j["position_bits"] = r.position_bits;
  j["position_step"] = r.position_step;
}

void add_mesh_details(const codec::MeshEncodeReport& r, nlohmann::ordered_json& j) {
  j["triangles"] = r.triangles;
  j["position_step"] = r.position_step;
  j["texcoord_step"] = r.texcoord_step;
  j["cache_misses_per_triangle_in"] = r.cache_misses_in;
  j["cache_misses_per_triangle_out"] = r.cache_misses_out;
}

void add_point_details(const codec::PointEncodeReport& r, nlohmann::ordered_json& j) {
  j["dropped_non_finite"] = r.non_finite;
  j["position_step"] = r.position_step;
  j["color_codes"] = r.color_codes;
  j["color_rms_error"] = r.color_rms_error;
}

}  // namespace

nlohmann::ordered_json compress_report_json(const CompressSummary& s) {
  const SceneKind kind = codec::settings_kind(s.settings);
  const std::size_t count_out = codec::count_out(s.report);
  nlohmann::ordered_json j;
  j["input"] = s.input;
  j["output"] = s.output;
  j["input_format"] = format_name(s.input_format);
  j["kind"] = scene_kind_name(kind);
  j["input_bytes"] = s.input_bytes;
  j["output_bytes"] = s.output_bytes;
  j["ratio"] = s.output_bytes ? static_cast<double>(s.input_bytes) / static_cast<double>(s.output_bytes) : 0.0;
  j[unit_key(kind)] = per_primitive(s.output_bytes, count_out);
  j["count_in"] = codec::count_in(s.report);
  j["count_out"] = count_out;
  if (const auto* g = std::get_if<codec::GaussianEncodeReport>(&s.report)) add_gaussian_details(*g, j);
  if (const auto* m = std::get_if<codec::MeshEncodeReport>(&s.report)) add_mesh_details(*m, j);
  if (const auto* p = std::get_if<codec::PointEncodeReport>(&s.report)) add_point_details(*p, j);
  j["seconds"] = s.seconds;
  j["encode_seconds"] = s.encode_seconds;
  if (s.devices) {
    j["kmeans_device"] = s.devices->kmeans_kind;
    j["kmeans_device_name"] = s.devices->kmeans_name;
    const auto* settings = std::get_if<codec::GaussianCodecSettings>(&s.settings);
    if (settings && codec::needs_importance(*settings)) j["importance_device"] = s.devices->importance_name;
  }
  if (s.target) {
    nlohmann::ordered_json trials = nlohmann::json::array();
    for (const auto& t : s.target->trials) {
      trials.push_back({{"level", t.level}, {"colour", t.colour}, {"bytes", t.bytes}, {"psnr", t.psnr}});
    }
    j["target_psnr"] = {{"target", s.target->options.target_db},
                        {"psnr", s.target->psnr},
                        {"views", s.target->options.views},
                        {"width", s.target->options.width},
                        {"height", s.target->options.height},
                        {"trials", trials}};
  }
  j["settings"] = codec::settings_json(s.settings);
  if (const auto* g = std::get_if<codec::GaussianEncodeReport>(&s.report)) {
    nlohmann::ordered_json attributes = nlohmann::json::array();
    for (const auto& a : g->attributes) {
      attributes.push_back(
          {{"name", a.name}, {"codebook_sizes", a.codebook_sizes}, {"rms_error", a.rms_error}, {"seconds", a.seconds}});
    }
    j["attributes"] = attributes;
  }
  nlohmann::ordered_json streams = nlohmann::json::array();
  for (const auto& stream : codec::written_streams(s.report)) {
    streams.push_back({{"id", stream.id},
                       {"name", scz::stream_name(kind, stream.id)},
                       {"codec", scz::codec_name(stream.codec)},
                       {"raw_bytes", stream.raw_size},
                       {"stored_bytes", stream.stored_size}});
  }
  j["streams"] = streams;
  return j;
}

void print_compress_report(const CompressSummary& s, bool json) {
  const nlohmann::ordered_json j = compress_report_json(s);
  if (json) {
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  const SceneKind kind = codec::settings_kind(s.settings);
  const char* unit = unit_name(kind);
  const std::size_t count_in = codec::count_in(s.report), count_out = codec::count_out(s.report);
  const auto* gaussians = std::get_if<codec::GaussianEncodeReport>(&s.report);
  const auto* mesh = std::get_if<codec::MeshEncodeReport>(&s.report);
  std::string what;
  if (gaussians) {
    what = std::to_string(count_in) + " Gaussians, SH degree " + std::to_string(gaussians->prune.sh_degree_in);
  } else if (mesh) {
    what = std::to_string(count_in) + " vertices, " + std::to_string(mesh->triangles) + " triangles";
  } else {
    what = std::to_string(count_in) + " points";
  }
  std::printf("input:    %s (%s, %s), %llu bytes\n", s.input.c_str(), format_name(s.input_format), what.c_str(),
              static_cast<unsigned long long>(s.input_bytes));
  std::printf("output:   %s, %llu bytes (%.2f per %s)\n", s.output.c_str(),
              static_cast<unsigned long long>(s.output_bytes), j[unit_key(kind)].get<double>(), unit);
  std::printf("ratio:    %.2fx\n", j["ratio"].get<double>());
  if (gaussians) {
    const codec::PruneReport& p = gaussians->prune;
    std::printf(
        "count:    %zu -> %zu (pruned %zu non-finite, %zu transparent, %zu tiny, %zu unimportant), SH degree %d -> %d\n",
        count_in, count_out, p.non_finite, p.transparent, p.tiny, p.unimportant, p.sh_degree_in, p.sh_degree_out);
  } else if (count_in != count_out) {
    std::printf("count:    %zu -> %zu (dropped %zu with non-finite positions)\n", count_in, count_out,
                count_in - count_out);
  }
  std::printf("time:     %.2f s (encoding %.2f s)\n", s.seconds, s.encode_seconds);
  if (s.devices) std::printf("k-means:  %s (%s)\n", s.devices->kmeans_kind.c_str(), s.devices->kmeans_name.c_str());
  if (s.target) {
    std::printf("target:   %.2f dB reached with %.2f dB (%s; %zu levels tried)\n", s.target->options.target_db,
                s.target->psnr, j["settings"]["preset"].get<std::string>().c_str(), s.target->trials.size());
  }
  std::printf("streams:\n");
  for (const auto& stream : codec::written_streams(s.report)) {
    std::printf("  %-18s %-4s %10llu -> %10llu bytes (%.2f per %s)\n", scz::stream_name(kind, stream.id).c_str(),
                scz::codec_name(stream.codec), static_cast<unsigned long long>(stream.raw_size),
                static_cast<unsigned long long>(stream.stored_size), per_primitive(stream.stored_size, count_out), unit);
  }
  if (gaussians) {
    std::printf("quantization RMS error: position step %.3g (%d bits)", gaussians->position_step,
                gaussians->position_bits);
    for (const auto& a : gaussians->attributes) std::printf(", %s %.3g", a.name.c_str(), a.rms_error);
    std::printf("\n");
  } else {
    std::printf("position step: %.3g\n", j["position_step"].get<double>());
  }
  std::printf("settings: %s\n", j["settings"].dump().c_str());
}

}  // namespace scenezip::cli
