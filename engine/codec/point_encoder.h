// Encodes point clouds as `.scz` files (scene kind 3): positions on a grid in Morton
// order, delta coded as the Gaussian positions are; normals octahedral and colours (8-bit
// per channel or a k-means codebook) delta coded along that order; zstd on every stream.
// The decoder (point_decoder.h) shares only point_layout.h and morton_positions.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/codec/geometry_settings.h"
#include "formats/scz/writer.h"
#include "engine/scene/mesh.h"

namespace scenezip::codec {

struct PointEncodeReport {
  std::size_t count_in = 0;
  std::size_t count_out = 0;
  std::size_t non_finite = 0;  // points dropped for a non-finite position
  double position_step = 0;    // largest quantization step of the grid
  int color_codes = 0;         // codebook entries learned (codebook mode)
  double color_rms_error = 0;  // RMS colour error per channel, in [0, 1] units
  // Point i of the file is point point_order[i] of the input.
  std::vector<std::uint32_t> point_order;
  std::vector<scz::WrittenStream> streams;
};

using StageCallback = std::function<void(const std::string& stage)>;

// Encodes `points` with `settings` into the bytes of an `.scz` file. Points with a
// non-finite position are dropped (counted in the report); bad settings or arrays that
// disagree with the count give invalid_input.
Result<Bytes> encode_points(const PointCloud& points, const PointCodecSettings& settings,
                            PointEncodeReport* report = nullptr, const StageCallback& stage = {});

}  // namespace scenezip::codec
