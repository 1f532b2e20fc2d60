// The mesh and point-cloud encoders' parameters as data: named presets, printed with
// every result and stored in every `.scz` file as JSON, like the Gaussian settings
// (gaussian_settings.h), so any output can be reproduced from its settings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// Presets, from largest file and best quality to smallest: high, balanced, small.
std::vector<std::string> geometry_preset_names();
Result<MeshCodecSettings> mesh_preset_settings(const std::string& name);
Result<PointCodecSettings> point_preset_settings(const std::string& name);

// JSON text of the settings (`indent` < 0: one line), as stored in `.scz` files.
std::string mesh_settings_to_json(const MeshCodecSettings& settings, int indent = -1);
std::string point_settings_to_json(const PointCodecSettings& settings, int indent = -1);
// Reads settings back; unknown codecs, missing keys or wrong types are invalid_input.
Result<MeshCodecSettings> mesh_settings_from_json(const std::string& text);
Result<PointCodecSettings> point_settings_from_json(const std::string& text);
// The "codec" key of a settings text ("gaussians", "mesh", "points"), "" if none.
std::string settings_codec_name(const std::string& text);

Status check_mesh_settings(const MeshCodecSettings& settings);
Status check_point_settings(const PointCodecSettings& settings);

}  // namespace scenezip::codec
