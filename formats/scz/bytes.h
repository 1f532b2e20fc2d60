// Little-endian loads, stores and appends: every fixed byte layout the project reads or
// writes (the `.scz` container and its streams, SPZ headers, colour-field bytes) goes
// through these, so byte order and float bit patterns are written down once. Loads and
// stores take a pointer the caller has checked has room; appends grow the vector.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

namespace scenezip::scz {

inline std::uint16_t load_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }
inline std::uint32_t load_u32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}
inline std::uint64_t load_u64(const std::uint8_t* p) { return load_u32(p) | std::uint64_t{load_u32(p + 4)} << 32; }
// IEEE 754 binary32, bit for bit.
inline float load_f32(const std::uint8_t* p) {
  const std::uint32_t bits = load_u32(p);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

inline void store_u16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
inline void store_u32(std::uint8_t* p, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) p[k] = static_cast<std::uint8_t>(v >> (8 * k));
}
inline void store_u64(std::uint8_t* p, std::uint64_t v) {
  store_u32(p, static_cast<std::uint32_t>(v));
  store_u32(p + 4, static_cast<std::uint32_t>(v >> 32));
}
inline void store_f32(std::uint8_t* p, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  store_u32(p, bits);
}

inline void append_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  const std::size_t at = out.size();
  out.resize(at + 4);
  store_u32(&out[at], v);
}
inline void append_f32(std::vector<std::uint8_t>& out, float v) {
  const std::size_t at = out.size();
  out.resize(at + 4);
  store_f32(&out[at], v);
}

}  // namespace scenezip::scz
