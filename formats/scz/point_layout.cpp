#include "formats/scz/point_layout.h"

#include <cmath>
#include <string>

#include "formats/scz/octahedral.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

Bytes serialize_layout(const PointLayout& l) {
  Bytes out(kPointLayoutBytes, 0);
  out[0] = static_cast<std::uint8_t>(l.position_bits);
  out[1] = static_cast<std::uint8_t>(l.normal_bits);
  out[2] = static_cast<std::uint8_t>(l.color_mode);
  out[3] = static_cast<std::uint8_t>(l.color_bits);
  store_u32(&out[4], l.codebook_size);
  for (int k = 0; k < 3; ++k) {
    store_f32(&out[8 + 4 * k], l.bounds_min[k]);
    store_f32(&out[20 + 4 * k], l.bounds_max[k]);
  }
  return out;
}

Status check_layout(const PointLayout& l) {
  if (l.position_bits < 1 || l.position_bits > 21) {
    return invalid_input("point layout: position bits " + std::to_string(l.position_bits) + " outside 1..21");
  }
  if (l.normal_bits != 0 && (l.normal_bits < kMinNormalBits || l.normal_bits > kMaxNormalBits)) {
    return invalid_input("point layout: normal bits " + std::to_string(l.normal_bits) + " outside 2..16");
  }
  switch (l.color_mode) {
    case PointColorMode::kNone:
      if (l.color_bits != 0 || l.codebook_size != 0) return invalid_input("point layout: colour fields set without colours");
      break;
    case PointColorMode::kDirect:
      if (l.color_bits < 1 || l.color_bits > 16 || l.codebook_size != 0) {
        return invalid_input("point layout: direct colours need 1..16 bits and no codebook");
      }
      break;
    case PointColorMode::kCodebook:
      if (l.color_bits != 0 || l.codebook_size < 1 || l.codebook_size > 65536) {
        return invalid_input("point layout: a colour codebook needs 1..65536 codes");
      }
      break;
    default: return invalid_input("point layout: unknown colour mode " + std::to_string(static_cast<int>(l.color_mode)));
  }
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(l.bounds_min[k]) || !std::isfinite(l.bounds_max[k]) || l.bounds_max[k] < l.bounds_min[k]) {
      return invalid_input("point layout: bounds are not finite and ordered");
    }
  }
  return Status::Ok();
}

Result<PointLayout> parse_point_layout(const Bytes& b) {
  if (b.size() != kPointLayoutBytes) {
    return invalid_input("point layout stream has " + std::to_string(b.size()) + " bytes, expected " +
                         std::to_string(kPointLayoutBytes));
  }
  PointLayout l;
  l.position_bits = b[0];
  l.normal_bits = b[1];
  l.color_mode = static_cast<PointColorMode>(b[2]);
  l.color_bits = b[3];
  l.codebook_size = load_u32(&b[4]);
  for (int k = 0; k < 3; ++k) {
    l.bounds_min[k] = load_f32(&b[8 + 4 * k]);
    l.bounds_max[k] = load_f32(&b[20 + 4 * k]);
  }
  SCZ_RETURN_IF_ERROR(check_layout(l));
  return l;
}

}  // namespace scenezip::scz
