// What the point-cloud streams of an `.scz` file hold and how they are laid out: the part
// of the format the point encoder and decoder share (docs/FORMAT.md, "Point scenes").
#pragma once

#include <array>
#include <cstdint>

#include "engine/core/status.h"
#include "formats/file_io.h"

namespace scenezip::scz {

// Stream IDs of scene kind 3.
inline constexpr std::uint16_t kPointLayoutStream = 1;
inline constexpr std::uint16_t kPointPositionStream = 2;
inline constexpr std::uint16_t kPointNormalStream = 3;
inline constexpr std::uint16_t kPointColorStream = 4;
inline constexpr std::uint16_t kPointCodebookStream = 5;

inline constexpr std::size_t kPointLayoutBytes = 32;

enum class PointColorMode : std::uint8_t { kNone = 0, kDirect = 1, kCodebook = 2 };

struct PointLayout {
  int position_bits = 14;  // 1..21
  int normal_bits = 0;     // 0: no normals, else 2..16
  PointColorMode color_mode = PointColorMode::kNone;
  int color_bits = 0;          // kDirect: 1..16, else 0
  std::uint32_t codebook_size = 0;  // kCodebook: 1..65536, else 0
  std::array<float, 3> bounds_min{0, 0, 0};
  std::array<float, 3> bounds_max{0, 0, 0};
};

Bytes serialize_layout(const PointLayout& layout);
Result<PointLayout> parse_point_layout(const Bytes& bytes);
Status check_layout(const PointLayout& layout);

// Bytes per colour index: one up to 256 codes, else two.
inline int codebook_index_bytes(std::uint32_t codes) { return codes <= 256 ? 1 : 2; }

}  // namespace scenezip::scz
