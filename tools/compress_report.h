// The report `scenezip compress` prints for every scene kind, as one JSON object
// (--json) or as text, both built here from one summary of the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/codec/scene_encoder.h"
#include "formats/formats.h"
#include "tools/target_psnr.h"

namespace scenezip::cli {

// Where the Gaussian encoder's k-means and importance views ran.
struct EncoderDevices {
  std::string kmeans_kind = "cpu";  // "cpu" or "gpu"
  std::string kmeans_name = "C++ reference";
  std::string importance_name = "C++ reference";  // reported where the settings prune by importance
};

// `--target-psnr`'s search: what was asked and what it found.
struct TargetPsnrSummary {
  TargetPsnrOptions options;
  double psnr = 0.0;
  std::vector<TargetPsnrTrial> trials;
};

struct CompressSummary {
  std::string input, output;
  FileFormat input_format = FileFormat::kUnknown;
  std::uint64_t input_bytes = 0, output_bytes = 0;
  double seconds = 0.0;         // the whole command, reading included
  double encode_seconds = 0.0;  // the encoder alone
  codec::SceneSettings settings;
  codec::SceneEncodeReport report;
  std::optional<EncoderDevices> devices;       // Gaussians
  std::optional<TargetPsnrSummary> target;     // Gaussians with --target-psnr
};

// Keys for every kind: input, output, input_format, kind, input_bytes, output_bytes,
// ratio, bytes_per_<unit>, count_in, count_out, seconds, encode_seconds, settings,
// streams; then each kind's own (pruning, devices and attributes for Gaussians,
// triangles and cache misses for meshes, dropped points and colour codes for points).
nlohmann::ordered_json compress_report_json(const CompressSummary& summary);

// Prints the report on stdout: the JSON on one line, or as text.
void print_compress_report(const CompressSummary& summary, bool json);

}  // namespace scenezip::cli
