// The mesh and point-cloud half of `scenezip compress` (compress.cpp hands over any scene
// that is not Gaussians).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "engine/core/status.h"
#include "formats/formats.h"

namespace scenezip::cli {

struct GeometryCompressRequest {
  std::string input;
  std::string output;
  std::string preset = "balanced";
  std::string settings_file;  // JSON settings instead of the preset, when set
  int threads = 0;
  bool json = false;
  FileFormat format = FileFormat::kUnknown;
  std::chrono::steady_clock::time_point start;  // when the command began (for "seconds")
};

// Encodes the mesh or point cloud `scene` (read from request.input) to request.output and
// prints the report: the same keys as for Gaussians (input_bytes, output_bytes, ratio,
// count_in, count_out, seconds, settings, streams, ...), counts being vertices or points.
Status compress_geometry(const GeometryCompressRequest& request, const Scene& scene);

}  // namespace scenezip::cli
