#include "engine/field/hash_encoding.h"

#include <algorithm>
#include <cmath>

namespace scenezip::field {

HashGridLayout make_hash_layout(const FieldConfig& config) {
  HashGridLayout layout;
  layout.features = config.features;
  const std::uint64_t table = std::uint64_t{1} << config.log2_table_size;
  std::uint64_t offset = 0;
  for (int l = 0; l < config.levels; ++l) {
    HashLevel level;
    // Computed in double once here; the GPU reads the resulting integers, so both
    // sides agree on every level's resolution.
    level.resolution = static_cast<std::uint32_t>(
        std::floor(config.base_resolution * std::pow(static_cast<double>(config.per_level_scale), l)));
    level.resolution = std::max<std::uint32_t>(level.resolution, 1);
    const std::uint64_t side = level.resolution + 1;
    const std::uint64_t vertices = side * side * side;
    level.dense = vertices <= table;
    level.size = static_cast<std::uint32_t>(level.dense ? vertices : table);
    level.offset = static_cast<std::uint32_t>(offset);
    offset += level.size;
    layout.levels.push_back(level);
  }
  layout.entries = static_cast<std::uint32_t>(offset);
  return layout;
}

CellCorners cell_corners(const HashLevel& level, const float position[3]) {
  std::uint32_t base[3];
  float frac[3];
  const float r = static_cast<float>(level.resolution);
  for (int a = 0; a < 3; ++a) {
    const float p = std::clamp(position[a], 0.0f, 1.0f);
    const float x = p * r;
    const float cell = std::min(std::floor(x), r - 1.0f);
    base[a] = static_cast<std::uint32_t>(cell);
    frac[a] = x - cell;
  }
  CellCorners corners;
  for (int c = 0; c < 8; ++c) {
    const std::uint32_t d[3] = {static_cast<std::uint32_t>(c & 1), static_cast<std::uint32_t>((c >> 1) & 1),
                                static_cast<std::uint32_t>((c >> 2) & 1)};
    float w = 1.0f;
    for (int a = 0; a < 3; ++a) w *= d[a] ? frac[a] : 1.0f - frac[a];
    corners.weight[c] = w;
    corners.entry[c] = level.offset + hash_vertex_index(level, base[0] + d[0], base[1] + d[1], base[2] + d[2]);
  }
  return corners;
}

void hash_encode(const HashGridLayout& layout, const float* table, const float* positions, std::size_t count,
                 float* out, std::size_t stride) {
  const int f_count = layout.features;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t l = 0; l < layout.levels.size(); ++l) {
      const CellCorners corners = cell_corners(layout.levels[l], positions + 3 * i);
      float* dst = out + i * stride + l * f_count;
      for (int f = 0; f < f_count; ++f) {
        float sum = 0.0f;
        for (int c = 0; c < 8; ++c) sum += corners.weight[c] * table[static_cast<std::size_t>(corners.entry[c]) * f_count + f];
        dst[f] = sum;
      }
    }
  }
}

void hash_encode_backward(const HashGridLayout& layout, const float* positions, std::size_t count,
                          const float* d_encoded, std::size_t stride, float* table_gradient) {
  const int f_count = layout.features;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t l = 0; l < layout.levels.size(); ++l) {
      const CellCorners corners = cell_corners(layout.levels[l], positions + 3 * i);
      const float* src = d_encoded + i * stride + l * f_count;
      for (int c = 0; c < 8; ++c) {
        float* dst = table_gradient + static_cast<std::size_t>(corners.entry[c]) * f_count;
        for (int f = 0; f < f_count; ++f) dst[f] += corners.weight[c] * src[f];
      }
    }
  }
}

}  // namespace scenezip::field
