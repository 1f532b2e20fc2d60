// Unit vectors as two integers (octahedral mapping): the direction is projected onto the
// octahedron |x| + |y| + |z| = 1, whose lower half is folded over the upper one, giving
// a point of the square [-1, 1]^2 that is quantized to `bits` bits per axis. Every code
// decodes to a unit vector, so a damaged file still yields valid normals.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace scenezip::scz {

inline constexpr int kMinNormalBits = 2;
inline constexpr int kMaxNormalBits = 16;

namespace octahedral_detail {
inline float sign_not_zero(float v) { return v < 0.0f ? -1.0f : 1.0f; }
}  // namespace octahedral_detail

// The unit vector of code (u, v), each below 2^bits.
inline void octahedral_decode(std::uint32_t u, std::uint32_t v, int bits, float* n) {
  using octahedral_detail::sign_not_zero;
  const double levels = static_cast<double>((std::uint32_t{1} << bits) - 1);
  float x = static_cast<float>(u / levels * 2.0 - 1.0);
  float y = static_cast<float>(v / levels * 2.0 - 1.0);
  const float z = 1.0f - std::fabs(x) - std::fabs(y);
  if (z < 0.0f) {
    const float fx = (1.0f - std::fabs(y)) * sign_not_zero(x);
    const float fy = (1.0f - std::fabs(x)) * sign_not_zero(y);
    x = fx;
    y = fy;
  }
  const float length = std::sqrt(x * x + y * y + z * z);  // >= 1/sqrt(3) on the octahedron
  n[0] = x / length;
  n[1] = y / length;
  n[2] = z / length;
}

// The code whose direction is closest to `n` (any length; zero or non-finite gives +z):
// of the four grid points around the exact projection, the one with the smallest angle,
// which removes most of the error plain rounding leaves where the folding stretches the grid.
inline void octahedral_encode(const float* n, int bits, std::uint32_t* u, std::uint32_t* v) {
  using octahedral_detail::sign_not_zero;
  const std::uint32_t levels = (std::uint32_t{1} << bits) - 1;
  const float sum = std::fabs(n[0]) + std::fabs(n[1]) + std::fabs(n[2]);
  float x = 0.0f, y = 0.0f;
  double dir[3] = {0.0, 0.0, 1.0};
  if (sum > 0.0f && std::isfinite(sum)) {
    x = n[0] / sum;
    y = n[1] / sum;
    if (n[2] < 0.0f) {
      const float fx = (1.0f - std::fabs(y)) * sign_not_zero(x);
      const float fy = (1.0f - std::fabs(x)) * sign_not_zero(y);
      x = fx;
      y = fy;
    }
    const double length = std::sqrt(double(n[0]) * n[0] + double(n[1]) * n[1] + double(n[2]) * n[2]);
    for (int k = 0; k < 3; ++k) dir[k] = n[k] / length;
  }
  const double fu = (static_cast<double>(x) + 1.0) * 0.5 * levels;
  const double fv = (static_cast<double>(y) + 1.0) * 0.5 * levels;
  const auto lo_u = static_cast<std::uint32_t>(std::clamp(std::floor(fu), 0.0, double(levels)));
  const auto lo_v = static_cast<std::uint32_t>(std::clamp(std::floor(fv), 0.0, double(levels)));
  // Compared by the cross product, which grows with the angle itself: dot products of
  // neighbouring codes differ by the angle squared, below float precision at 16 bits.
  double best = 1e30;
  for (std::uint32_t du = 0; du < 2; ++du) {
    for (std::uint32_t dv = 0; dv < 2; ++dv) {
      const std::uint32_t cu = std::min(lo_u + du, levels), cv = std::min(lo_v + dv, levels);
      float d[3];
      octahedral_decode(cu, cv, bits, d);
      const double cx = d[1] * dir[2] - d[2] * dir[1], cy = d[2] * dir[0] - d[0] * dir[2],
                   cz = d[0] * dir[1] - d[1] * dir[0];
      const double dot = d[0] * dir[0] + d[1] * dir[1] + d[2] * dir[2];
      // Beyond a right angle (only possible at 2 bits) the cross product shrinks again.
      const double error = dot > 0 ? cx * cx + cy * cy + cz * cz : 4.0 - dot;
      if (error < best) {
        best = error;
        *u = cu;
        *v = cv;
      }
    }
  }
}

}  // namespace scenezip::scz
