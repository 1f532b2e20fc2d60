#include "engine/codec/geometry_settings.h"

#include <nlohmann/json.hpp>

#include "engine/codec/presets.h"
#include "formats/scz/octahedral.h"

namespace scenezip::codec {

// Settings are bounded by the limits of the stream layouts formats/scz owns.
using namespace scz;

namespace {

// Bit depths: a 14-bit grid puts a 1 m object on 61 micrometre steps, below what a
// renderer at any usual resolution shows; 10-bit octahedral normals err by at most a
// tenth of a degree; 12-bit texture coordinates address a 4096-texel texture to the
// texel. "small" trades visible but mild error for size, "high" is near lossless.
struct MeshPreset {
  const char* name;
  int position_bits, normal_bits, texcoord_bits, color_bits;
};

const std::vector<MeshPreset>& mesh_presets() {
  static const std::vector<MeshPreset> list = {
      {"high", 16, 12, 14, 8},
      {"balanced", 14, 10, 12, 8},
      {"small", 11, 8, 10, 6},
  };
  return list;
}

// Colours measured on the Kinect frames (docs/BENCHMARKS.md): where a cloud has many
// colours, 8-bit direct colours are lossless and, at equal error, direct colours of
// fewer bits beat a codebook down to about 0.6 bytes per point, below which a 256-code
// codebook wins (37 dB against 34 dB for 4 bits); where it has few (at most 4096), an
// exact palette keeps them losslessly in a third of the bytes.
struct PointPreset {
  const char* name;
  int position_bits, normal_bits;
  const char* color_mode;
  int color_bits, color_codebook_size;
};

const std::vector<PointPreset>& point_presets() {
  static const std::vector<PointPreset> list = {
      {"high", 16, 12, "auto", 8, 4096},
      {"balanced", 14, 10, "auto", 8, 4096},
      {"small", 12, 8, "codebook", 8, 256},
  };
  return list;
}

}  // namespace

std::vector<std::string> mesh_preset_names() { return names_of(mesh_presets()); }
std::vector<std::string> point_preset_names() { return names_of(point_presets()); }

Result<MeshCodecSettings> mesh_preset_settings(const std::string& name) {
  SCZ_ASSIGN_OR_RETURN(const MeshPreset* p, find_preset(mesh_presets(), name));
  MeshCodecSettings s;
  s.preset = name;
  s.position_bits = p->position_bits;
  s.normal_bits = p->normal_bits;
  s.texcoord_bits = p->texcoord_bits;
  s.color_bits = p->color_bits;
  return s;
}

Result<PointCodecSettings> point_preset_settings(const std::string& name) {
  SCZ_ASSIGN_OR_RETURN(const PointPreset* p, find_preset(point_presets(), name));
  PointCodecSettings s;
  s.preset = name;
  s.position_bits = p->position_bits;
  s.normal_bits = p->normal_bits;
  s.color_mode = p->color_mode;
  s.color_bits = p->color_bits;
  s.color_codebook_size = p->color_codebook_size;
  return s;
}

nlohmann::ordered_json settings_json(const MeshCodecSettings& s) {
  nlohmann::ordered_json j;
  j["codec"] = "mesh";
  j["preset"] = s.preset;
  j["position_bits"] = s.position_bits;
  j["normal_bits"] = s.normal_bits;
  j["texcoord_bits"] = s.texcoord_bits;
  j["color_bits"] = s.color_bits;
  j["triangle_order"] = s.triangle_order;
  j["zstd_level"] = s.zstd_level;
  return j;
}

nlohmann::ordered_json settings_json(const PointCodecSettings& s) {
  nlohmann::ordered_json j;
  j["codec"] = "points";
  j["preset"] = s.preset;
  j["position_bits"] = s.position_bits;
  j["normal_bits"] = s.normal_bits;
  j["color"] = {{"mode", s.color_mode}, {"bits", s.color_bits}, {"codebook_size", s.color_codebook_size}};
  j["kmeans"] = {{"iterations", s.kmeans_iterations}, {"samples", s.kmeans_samples}, {"seed", s.seed}};
  j["zstd_level"] = s.zstd_level;
  return j;
}

Result<MeshCodecSettings> mesh_settings_from_json(const nlohmann::json& j) {
  MeshCodecSettings s;
  try {
    if (j.value("codec", std::string()) != "mesh") return invalid_input("settings are not for the mesh codec");
    s.preset = j.at("preset").get<std::string>();
    s.position_bits = j.at("position_bits").get<int>();
    s.normal_bits = j.at("normal_bits").get<int>();
    s.texcoord_bits = j.at("texcoord_bits").get<int>();
    s.color_bits = j.at("color_bits").get<int>();
    s.triangle_order = j.at("triangle_order").get<std::string>();
    s.zstd_level = j.at("zstd_level").get<int>();
  } catch (const nlohmann::json::exception& e) {
    return invalid_input(std::string("settings JSON: ") + e.what());
  }
  SCZ_RETURN_IF_ERROR(check_mesh_settings(s));
  return s;
}

Result<PointCodecSettings> point_settings_from_json(const nlohmann::json& j) {
  PointCodecSettings s;
  try {
    if (j.value("codec", std::string()) != "points") return invalid_input("settings are not for the point codec");
    s.preset = j.at("preset").get<std::string>();
    s.position_bits = j.at("position_bits").get<int>();
    s.normal_bits = j.at("normal_bits").get<int>();
    const auto& color = j.at("color");
    s.color_mode = color.at("mode").get<std::string>();
    s.color_bits = color.at("bits").get<int>();
    s.color_codebook_size = color.at("codebook_size").get<int>();
    const auto& kmeans = j.at("kmeans");
    s.kmeans_iterations = kmeans.at("iterations").get<int>();
    s.kmeans_samples = kmeans.at("samples").get<std::uint64_t>();
    s.seed = kmeans.at("seed").get<std::uint64_t>();
    s.zstd_level = j.at("zstd_level").get<int>();
  } catch (const nlohmann::json::exception& e) {
    return invalid_input(std::string("settings JSON: ") + e.what());
  }
  SCZ_RETURN_IF_ERROR(check_point_settings(s));
  return s;
}

namespace {

Status in_range(int v, int lo, int hi, const char* name) {
  if (v < lo || v > hi) {
    return invalid_input(std::string(name) + " must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  return Status::Ok();
}

}  // namespace

Status check_mesh_settings(const MeshCodecSettings& s) {
  SCZ_RETURN_IF_ERROR(in_range(s.position_bits, 1, 21, "position_bits"));
  SCZ_RETURN_IF_ERROR(in_range(s.normal_bits, kMinNormalBits, kMaxNormalBits, "normal_bits"));
  SCZ_RETURN_IF_ERROR(in_range(s.texcoord_bits, 1, 24, "texcoord_bits"));
  SCZ_RETURN_IF_ERROR(in_range(s.color_bits, 1, 16, "color_bits"));
  if (s.triangle_order != "vertex_cache" && s.triangle_order != "input") {
    return invalid_input("triangle_order must be vertex_cache or input");
  }
  return in_range(s.zstd_level, 0, 22, "zstd_level");
}

Status check_point_settings(const PointCodecSettings& s) {
  SCZ_RETURN_IF_ERROR(in_range(s.position_bits, 1, 21, "position_bits"));
  SCZ_RETURN_IF_ERROR(in_range(s.normal_bits, kMinNormalBits, kMaxNormalBits, "normal_bits"));
  if (s.color_mode != "direct" && s.color_mode != "codebook" && s.color_mode != "auto") {
    return invalid_input("color.mode must be direct, codebook or auto");
  }
  SCZ_RETURN_IF_ERROR(in_range(s.color_bits, 1, 16, "color.bits"));
  SCZ_RETURN_IF_ERROR(in_range(s.color_codebook_size, 1, 65536, "color.codebook_size"));
  SCZ_RETURN_IF_ERROR(in_range(s.kmeans_iterations, 0, 1000, "kmeans.iterations"));
  return in_range(s.zstd_level, 0, 22, "zstd_level");
}

}  // namespace scenezip::codec
