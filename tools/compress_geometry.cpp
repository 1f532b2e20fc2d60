#include "tools/compress_geometry.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/codec/mesh_encoder.h"
#include "formats/scz/mesh_layout.h"
#include "engine/codec/point_encoder.h"
#include "formats/scz/point_layout.h"
#include "formats/file_io.h"
#include "tools/command.h"

namespace scenezip::cli {

namespace {

std::string mesh_stream_name(std::uint16_t id) {
  switch (id) {
    case scz::kMeshLayoutStream: return "layout";
    case scz::kMeshPositionStream: return "positions";
    case scz::kMeshIndexStream: return "indices";
    case scz::kMeshNormalStream: return "normals";
    case scz::kMeshTexcoordStream: return "texcoords";
    case scz::kMeshColorStream: return "colors";
    case scz::kMeshMaterialStream: return "materials";
  }
  if (id >= scz::kMeshFirstTextureStream) return "texture " + std::to_string(id - scz::kMeshFirstTextureStream);
  return "stream " + std::to_string(id);
}

std::string point_stream_name(std::uint16_t id) {
  switch (id) {
    case scz::kPointLayoutStream: return "layout";
    case scz::kPointPositionStream: return "positions";
    case scz::kPointNormalStream: return "normals";
    case scz::kPointColorStream: return "colors";
    case scz::kPointCodebookStream: return "color codebook";
  }
  return "stream " + std::to_string(id);
}

template <typename Settings>
Result<Settings> choose(const GeometryCompressRequest& r, Result<Settings> (*preset)(const std::string&),
                        Result<Settings> (*from_json)(const std::string&)) {
  if (r.settings_file.empty()) return preset(r.preset);
  SCZ_ASSIGN_OR_RETURN(Bytes text, read_file(r.settings_file));
  return from_json(std::string(text.begin(), text.end()));
}

}  // namespace

Status compress_geometry(const GeometryCompressRequest& r, const Scene& scene) {
  const bool is_mesh = scene.mesh() != nullptr;
  const char* unit = is_mesh ? "vertex" : "point";
  std::optional<Progress> stage;
  auto on_stage = [&](const std::string& name) {
    stage.reset();
    stage.emplace(name);
  };
  Result<Bytes> encoded = Bytes();
  std::string settings_json;
  std::vector<scz::WrittenStream> streams;
  std::size_t count_in = 0, count_out = 0;
  nlohmann::ordered_json extra;
  std::string (*stream_name)(std::uint16_t) = is_mesh ? mesh_stream_name : point_stream_name;
  const auto encode_start = std::chrono::steady_clock::now();
  if (const Mesh* mesh = scene.mesh()) {
    auto settings = choose<codec::MeshCodecSettings>(r, codec::mesh_preset_settings, codec::mesh_settings_from_json);
    if (!settings.ok()) return settings.status().with_context(r.settings_file.empty() ? r.input : r.settings_file);
    settings->threads = r.threads;
    settings_json = codec::mesh_settings_to_json(*settings);
    codec::MeshEncodeReport report;
    encoded = codec::encode_mesh(*mesh, *settings, &report, on_stage);
    count_in = count_out = report.vertices;
    streams = report.streams;
    extra["triangles"] = report.triangles;
    extra["position_step"] = report.position_step;
    extra["texcoord_step"] = report.texcoord_step;
    extra["cache_misses_per_triangle_in"] = report.cache_misses_in;
    extra["cache_misses_per_triangle_out"] = report.cache_misses_out;
  } else {
    auto settings = choose<codec::PointCodecSettings>(r, codec::point_preset_settings, codec::point_settings_from_json);
    if (!settings.ok()) return settings.status().with_context(r.settings_file.empty() ? r.input : r.settings_file);
    settings->threads = r.threads;
    settings_json = codec::point_settings_to_json(*settings);
    codec::PointEncodeReport report;
    encoded = codec::encode_points(*scene.points(), *settings, &report, on_stage);
    count_in = report.count_in;
    count_out = report.count_out;
    streams = report.streams;
    extra["dropped_non_finite"] = report.non_finite;
    extra["position_step"] = report.position_step;
    extra["color_codes"] = report.color_codes;
    extra["color_rms_error"] = report.color_rms_error;
  }
  stage.reset();
  if (!encoded.ok()) return encoded.status().with_context(r.input);
  const double encode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - encode_start).count();
  {
    Progress progress("writing " + r.output);
    SCZ_RETURN_IF_ERROR(write_file_atomic(r.output, *encoded).with_context(r.output));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r.start).count();
  const std::uint64_t input_bytes = scene_bytes_on_disk(r.input);
  const std::uint64_t output_bytes = encoded->size();
  const double ratio = output_bytes ? static_cast<double>(input_bytes) / output_bytes : 0.0;
  const double per = count_out ? static_cast<double>(output_bytes) / count_out : 0.0;

  nlohmann::ordered_json j;
  j["input"] = r.input;
  j["output"] = r.output;
  j["input_format"] = format_name(r.format);
  j["kind"] = scene_kind_name(scene.kind());
  j["input_bytes"] = input_bytes;
  j["output_bytes"] = output_bytes;
  j["ratio"] = ratio;
  j[is_mesh ? "bytes_per_vertex" : "bytes_per_point"] = per;
  j["count_in"] = count_in;
  j["count_out"] = count_out;
  for (auto& [key, value] : extra.items()) j[key] = value;
  j["seconds"] = seconds;
  j["encode_seconds"] = encode_seconds;
  j["settings"] = nlohmann::ordered_json::parse(settings_json);
  nlohmann::ordered_json list = nlohmann::json::array();
  for (const auto& s : streams) {
    list.push_back({{"id", s.id},
                    {"name", stream_name(s.id)},
                    {"codec", s.codec == scz::Codec::kZstd ? "zstd" : "raw"},
                    {"raw_bytes", s.raw_size},
                    {"stored_bytes", s.stored_size}});
  }
  j["streams"] = list;
  if (r.json) {
    std::printf("%s\n", j.dump().c_str());
    return Status::Ok();
  }
  std::printf("input:    %s (%s, %zu %s%s), %llu bytes\n", r.input.c_str(), format_name(r.format), count_in,
              is_mesh ? "vertices" : "points",
              is_mesh ? (", " + std::to_string(j["triangles"].get<std::size_t>()) + " triangles").c_str() : "",
              static_cast<unsigned long long>(input_bytes));
  std::printf("output:   %s, %llu bytes (%.2f per %s)\n", r.output.c_str(), static_cast<unsigned long long>(output_bytes),
              per, unit);
  std::printf("ratio:    %.2fx\n", ratio);
  if (!is_mesh && count_in != count_out) {
    std::printf("count:    %zu -> %zu (dropped %zu with non-finite positions)\n", count_in, count_out,
                count_in - count_out);
  }
  std::printf("time:     %.2f s (encoding %.2f s)\n", seconds, encode_seconds);
  std::printf("streams:\n");
  for (const auto& s : streams) {
    std::printf("  %-18s %-4s %10llu -> %10llu bytes (%.2f per %s)\n", stream_name(s.id).c_str(),
                s.codec == scz::Codec::kZstd ? "zstd" : "raw", static_cast<unsigned long long>(s.raw_size),
                static_cast<unsigned long long>(s.stored_size),
                count_out ? static_cast<double>(s.stored_size) / count_out : 0.0, unit);
  }
  std::printf("position step: %.3g\n", j["position_step"].get<double>());
  std::printf("settings: %s\n", settings_json.c_str());
  return Status::Ok();
}

}  // namespace scenezip::cli
