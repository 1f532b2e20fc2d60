// Instant-NGP's multiresolution hash encoding, plain C++: the reference the GPU kernels
// (shaders/field_encode.comp, field_encode_backward.comp) are tested against.
//
// Level l has r = floor(base_resolution * per_level_scale^l) cells per axis over the
// unit cube and (r + 1)^3 grid vertices. A level whose vertices fit in the table size T
// stores them densely (x + (r+1) * (y + (r+1) * z)); finer levels hash a vertex to
// (x * 1 ^ y * 2654435761 ^ z * 805459861) mod T. A point's features at a level are
// the trilinear blend of its cell's 8 corner entries; the levels' features are
// concatenated, level 0 first.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/field/field_config.h"
#include "shaders/shaderio.h"

namespace scenezip::field {

struct HashLevel {
  std::uint32_t resolution = 0;  // cells per axis
  std::uint32_t offset = 0;      // first entry of this level in the table
  std::uint32_t size = 0;        // entries
  bool dense = false;
};

struct HashGridLayout {
  std::vector<HashLevel> levels;
  std::uint32_t entries = 0;  // all levels together
  int features = 0;           // floats per entry
  std::size_t parameter_count() const { return static_cast<std::size_t>(entries) * features; }
};

HashGridLayout make_hash_layout(const FieldConfig& config);

// The table entry of grid vertex (x, y, z) of a level, relative to the level's offset.
inline std::uint32_t hash_vertex_index(const HashLevel& level, std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  if (level.dense) {
    const std::uint32_t side = level.resolution + 1;
    return x + side * (y + side * z);
  }
  return (x * shaderio::kFieldHashPrime0 ^ y * shaderio::kFieldHashPrime1 ^ z * shaderio::kFieldHashPrime2) &
         (level.size - 1);
}

// The 8 corners of the cell holding `position` (unit cube, clamped into it) at one
// level: table entries (absolute) and trilinear weights, corner c at offset
// (c & 1, c >> 1 & 1, c >> 2 & 1).
struct CellCorners {
  std::uint32_t entry[8];
  float weight[8];
};
CellCorners cell_corners(const HashLevel& level, const float position[3]);

// Encodes `count` points (3 floats each, unit cube) into `out` (levels * features
// floats per point, `stride` floats apart).
void hash_encode(const HashGridLayout& layout, const float* table, const float* positions, std::size_t count,
                 float* out, std::size_t stride);

// Adds to `table_gradient` the gradient of the loss with respect to the table, given its
// gradient `d_encoded` with respect to the encoded features (`stride` floats apart).
void hash_encode_backward(const HashGridLayout& layout, const float* positions, std::size_t count,
                          const float* d_encoded, std::size_t stride, float* table_gradient);

}  // namespace scenezip::field
