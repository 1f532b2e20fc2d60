// IEEE 754 binary16, the storage type of `.scz` codebooks. Written out rather than taken
// from the compiler's _Float16 so that every build (and the GLSL mirror to come) rounds
// the same way.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace scenezip::scz {

inline constexpr float kFloat16Max = 65504.0f;

// Round to nearest, ties to even. Values beyond the finite range saturate to +-65504 and
// NaN becomes 0, so an encoder never writes a code the decoder would reject.
inline std::uint16_t float_to_half(float value) {
  if (std::isnan(value)) return 0;
  std::uint32_t f;
  std::memcpy(&f, &value, 4);
  const std::uint32_t sign = (f >> 16) & 0x8000u;
  const std::uint32_t abs = f & 0x7fffffffu;
  if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7bffu);  // rounds past 65504
  if (abs < 0x38800000u) {                                                     // below 2^-14: subnormal or zero
    if (abs < 0x33000000u) return static_cast<std::uint16_t>(sign);             // under half the smallest step
    const std::uint32_t exponent = abs >> 23;
    const std::uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - exponent;  // 14..24: brings the value to units of 2^-24
    std::uint32_t half = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half & 1u))) ++half;
    return static_cast<std::uint16_t>(sign | half);
  }
  std::uint32_t half = ((abs - 0x38000000u) >> 13);  // rebias the exponent from 127 to 15
  const std::uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
  return static_cast<std::uint16_t>(sign | half);
}

inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  const std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t f;
  if (exponent == 0) {
    const float v = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -v : v;
  } else if (exponent == 31) {
    f = sign | 0x7f800000u | (mantissa << 13);
  } else {
    f = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &f, 4);
  return out;
}

}  // namespace scenezip::scz
