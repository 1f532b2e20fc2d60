// The mesh and point-cloud encoders' parameters as data: named presets, printed with
// every result and stored in every `.scz` file as JSON, like the Gaussian settings
// (gaussian_settings.h), so any output can be reproduced from its settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/status.h"

namespace scenezip::codec {

struct MeshCodecSettings {
  std::string preset = "custom";
  // Bits per axis of the position grid over the mesh's bounds (1..21).
  int position_bits = 14;
  // Bits per axis of the octahedral normal code (2..16).
  int normal_bits = 10;
  // Bits per axis of texture coordinates over their own range (1..24).
  int texcoord_bits = 12;
  // Bits per channel of vertex colours in [0, 1] (1..16).
  int color_bits = 8;
  // "vertex_cache": triangles reordered within each submesh for a small vertex cache,
  // which also makes the index and vertex streams smaller; "input": kept as given.
  std::string triangle_order = "vertex_cache";
  int zstd_level = 19;
  // Threads for compression; 0 means all. Not stored: it never changes output.
  int threads = 0;
};

struct PointCodecSettings {
  std::string preset = "custom";
  int position_bits = 14;  // per axis over the bounds (1..21)
  int normal_bits = 10;    // octahedral, per axis (2..16)
  // "direct": `color_bits` per channel; "codebook": a k-means codebook of
  // `color_codebook_size` 8-bit RGB entries and one index per point; "auto": the
  // cloud's exact 8-bit colours as a codebook when there are at most
  // `color_codebook_size` of them (with `color_bits` >= 8), else direct.
  std::string color_mode = "auto";
  int color_bits = 8;                // 1..16
  int color_codebook_size = 4096;    // 1..65536
  int kmeans_iterations = 10;
  std::uint64_t kmeans_samples = 65536;  // training subset (0: every point)
  std::uint64_t seed = 1;
  int zstd_level = 19;
  int threads = 0;  // not stored
};

// Each kind's presets, from largest file and best quality to smallest.
std::vector<std::string> mesh_preset_names();
std::vector<std::string> point_preset_names();
Result<MeshCodecSettings> mesh_preset_settings(const std::string& name);
Result<PointCodecSettings> point_preset_settings(const std::string& name);

// The settings as JSON, as printed with every result and stored (dumped on one line) in
// `.scz` files.
nlohmann::ordered_json settings_json(const MeshCodecSettings& settings);
nlohmann::ordered_json settings_json(const PointCodecSettings& settings);
// Reads such JSON back; another codec's settings, missing keys or wrong types are
// invalid_input, and the values are checked.
Result<MeshCodecSettings> mesh_settings_from_json(const nlohmann::json& json);
Result<PointCodecSettings> point_settings_from_json(const nlohmann::json& json);

Status check_mesh_settings(const MeshCodecSettings& settings);
Status check_point_settings(const PointCodecSettings& settings);

}  // namespace scenezip::codec
