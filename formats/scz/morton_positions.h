// The position stream the Gaussian and point codecs share (docs/FORMAT.md, "Positions"):
// positions quantized to a grid of `bits` bits per axis, sorted by their Morton codes,
// stored as the differences of consecutive codes in byte planes.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "formats/scz/morton.h"
#include "engine/core/status.h"
#include "formats/file_io.h"

namespace scenezip::scz {

// Bytes per Morton delta: 3 x bits bits.
inline int morton_delta_bytes(int bits) { return (3 * bits + 7) / 8; }

// round((v - lo) / (hi - lo) x levels), clamped to the grid; 0 for an empty range.
inline std::uint32_t grid_quantize(float v, float lo, float hi, std::uint32_t levels) {
  if (!(hi > lo)) return 0;
  const double t = (static_cast<double>(v) - lo) / (static_cast<double>(hi) - lo) * levels;
  return static_cast<std::uint32_t>(std::clamp<long long>(std::llround(t), 0, levels));
}

// Grid value q of an axis back to a coordinate, in double; q = levels gives hi exactly.
inline float grid_dequantize(std::uint32_t q, std::uint32_t levels, float lo, float hi) {
  if (q == levels) return hi;
  return static_cast<float>(lo + q * ((static_cast<double>(hi) - lo) / levels));
}

// Morton code of each xyz triple of `positions`, paired with its index, sorted (ties keep
// input order).
inline std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted_morton_codes(const std::vector<float>& positions,
                                                                                 const std::array<float, 3>& lo,
                                                                                 const std::array<float, 3>& hi,
                                                                                 int bits) {
  const std::size_t n = positions.size() / 3;
  const std::uint32_t levels = (std::uint32_t{1} << bits) - 1;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keyed(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* p = &positions[3 * i];
    keyed[i] = {morton_encode(grid_quantize(p[0], lo[0], hi[0], levels), grid_quantize(p[1], lo[1], hi[1], levels),
                              grid_quantize(p[2], lo[2], hi[2], levels)),
                static_cast<std::uint32_t>(i)};
  }
  std::sort(keyed.begin(), keyed.end());
  return keyed;
}

// The stream of the sorted codes' differences, byte planes of morton_delta_bytes(bits).
inline Bytes morton_delta_stream(const std::vector<std::pair<std::uint64_t, std::uint32_t>>& sorted, int bits) {
  const std::size_t n = sorted.size();
  const int width = morton_delta_bytes(bits);
  Bytes out(n * width);
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t delta = sorted[i].first - previous;
    previous = sorted[i].first;
    for (int b = 0; b < width; ++b) out[b * n + i] = static_cast<std::uint8_t>(delta >> (8 * b));
  }
  return out;
}

// Sorted Morton codes (each below 2^(3 bits)) to positions (3 x n floats) within the bounds.
inline void dequantize_morton_codes(const std::vector<std::uint64_t>& codes, int bits, const std::array<float, 3>& lo,
                                    const std::array<float, 3>& hi, float* positions) {
  const std::uint32_t levels = (std::uint32_t{1} << bits) - 1;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto q = morton_decode(codes[i]);
    for (int k = 0; k < 3; ++k) positions[3 * i + k] = grid_dequantize(q[k], levels, lo[k], hi[k]);
  }
}

// Decodes such a stream of `n` codes into positions (3 x n floats) within the bounds.
// Codes only grow and stay below 2^(3 bits); anything else is a forged stream.
inline Status decode_morton_deltas(const Bytes& raw, std::size_t n, int bits, const std::array<float, 3>& lo,
                                   const std::array<float, 3>& hi, float* positions) {
  const int width = morton_delta_bytes(bits);
  const std::uint64_t end = std::uint64_t{1} << (3 * bits);
  const std::uint32_t levels = (std::uint32_t{1} << bits) - 1;
  std::uint64_t code = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t delta = 0;
    for (int b = 0; b < width; ++b) delta |= std::uint64_t{raw[b * n + i]} << (8 * b);
    if (delta >= end - code) {
      return invalid_input("position stream: Morton code number " + std::to_string(i) + " leaves the " +
                           std::to_string(bits) + "-bit grid");
    }
    code += delta;
    const auto q = morton_decode(code);
    for (int k = 0; k < 3; ++k) positions[3 * i + k] = grid_dequantize(q[k], levels, lo[k], hi[k]);
  }
  return Status::Ok();
}

}  // namespace scenezip::scz
