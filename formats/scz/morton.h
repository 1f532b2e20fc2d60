// Morton (Z-order) codes of three quantized coordinates of up to 21 bits each: nearby
// points get nearby codes, so a scene sorted by them puts neighbours next to each other.
#pragma once

#include <array>
#include <cstdint>

namespace scenezip::scz {

inline constexpr int kMaxMortonBits = 21;

// Spreads the low 21 bits of v so that bit i lands on bit 3i.
inline std::uint64_t spread3(std::uint64_t v) {
  v &= 0x1fffffu;
  v = (v | v << 32) & 0x1f00000000ffffull;
  v = (v | v << 16) & 0x1f0000ff0000ffull;
  v = (v | v << 8) & 0x100f00f00f00f00full;
  v = (v | v << 4) & 0x10c30c30c30c30c3ull;
  v = (v | v << 2) & 0x1249249249249249ull;
  return v;
}

// Gathers bits 0, 3, 6, ... of v into the low 21 bits.
inline std::uint64_t compact3(std::uint64_t v) {
  v &= 0x1249249249249249ull;
  v = (v ^ (v >> 2)) & 0x10c30c30c30c30c3ull;
  v = (v ^ (v >> 4)) & 0x100f00f00f00f00full;
  v = (v ^ (v >> 8)) & 0x1f0000ff0000ffull;
  v = (v ^ (v >> 16)) & 0x1f00000000ffffull;
  v = (v ^ (v >> 32)) & 0x1fffffull;
  return v;
}

// x takes the lowest bit of each triple, then y, then z.
inline std::uint64_t morton_encode(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
  return spread3(x) | spread3(y) << 1 | spread3(z) << 2;
}

inline std::array<std::uint32_t, 3> morton_decode(std::uint64_t code) {
  return {static_cast<std::uint32_t>(compact3(code)), static_cast<std::uint32_t>(compact3(code >> 1)),
          static_cast<std::uint32_t>(compact3(code >> 2))};
}

}  // namespace scenezip::scz
