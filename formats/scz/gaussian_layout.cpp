#include "formats/scz/gaussian_layout.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

#include "engine/scene/gaussian_cloud.h"
#include "formats/scz/container.h"

namespace scenezip::scz {

const char* attribute_name(Attribute a) {
  switch (a) {
    case Attribute::kScale: return "scale";
    case Attribute::kRotation: return "rotation";
    case Attribute::kOpacity: return "opacity";
    case Attribute::kColor: return "color";
    case Attribute::kSh: return "sh";
  }
  return "unknown";
}

int attribute_dims(Attribute a, int sh_degree) {
  switch (a) {
    case Attribute::kScale: return 3;
    case Attribute::kRotation: return 4;
    case Attribute::kOpacity: return 1;
    case Attribute::kColor: return 3;
    case Attribute::kSh: return sh_rest_per_gaussian(sh_degree);
  }
  return 0;
}

std::vector<Attribute> attributes_for_degree(int degree) {
  std::vector<Attribute> out = {Attribute::kScale, Attribute::kRotation, Attribute::kOpacity, Attribute::kColor};
  if (degree > 0) out.push_back(Attribute::kSh);
  return out;
}

std::vector<Attribute> attributes_for(int degree, std::uint8_t colour_source) {
  if (colour_source == 1) return {Attribute::kScale, Attribute::kRotation, Attribute::kOpacity, Attribute::kColor};
  if (colour_source == 2) return {Attribute::kScale, Attribute::kRotation, Attribute::kOpacity};
  return attributes_for_degree(degree);
}

int AttributeLayout::dims() const {
  int sum = 0;
  for (const SliceLayout& s : slices) sum += s.dims;
  return sum;
}

std::uint64_t transform_stream_bytes(const AttributeLayout& attribute) {
  if (attribute.transform != Transform::kAffine) return 0;
  const std::uint64_t d = static_cast<std::uint64_t>(attribute.dims());
  return 4 * (d + d * d);
}

void rotation_to_smallest_three(const float* q, float* u) {
  int largest = 0;
  for (int k = 1; k < 4; ++k) {
    if (std::fabs(q[k]) > std::fabs(q[largest])) largest = k;
  }
  const float sign = q[largest] < 0.0f ? -1.0f : 1.0f;
  u[0] = static_cast<float>(largest);
  int at = 1;
  for (int k = 0; k < 4; ++k) {
    if (k != largest) u[at++] = sign * q[k] * std::numbers::sqrt2_v<float>;
  }
}

void smallest_three_to_rotation(const float* u, float* q) {
  const int largest = static_cast<int>(std::clamp(std::lround(u[0]), 0l, 3l));
  float sum = 0.0f;
  int at = 1;
  for (int k = 0; k < 4; ++k) {
    if (k == largest) continue;
    q[k] = std::clamp(u[at++], -1.0f, 1.0f) / std::numbers::sqrt2_v<float>;
    sum += q[k] * q[k];
  }
  q[largest] = std::sqrt(std::max(0.0f, 1.0f - sum));
}

const AttributeLayout* GaussianLayout::find(Attribute a) const {
  for (const AttributeLayout& l : attributes) {
    if (l.attribute == a) return &l;
  }
  return nullptr;
}

int position_delta_bytes(int position_bits) { return (3 * position_bits + 7) / 8; }

std::uint64_t position_stream_bytes(const GaussianLayout& layout, std::uint64_t count) {
  return count * static_cast<std::uint64_t>(position_delta_bytes(layout.position_bits));
}

std::uint64_t codebook_stream_bytes(const AttributeLayout& attribute) {
  std::uint64_t total = 0;
  for (const SliceLayout& s : attribute.slices) total += 2ull * s.dims * static_cast<std::uint64_t>(s.codebook_size);
  return total;
}

std::uint64_t index_stream_bytes(const AttributeLayout& attribute, std::uint64_t count) {
  std::uint64_t per = 0;
  for (const SliceLayout& s : attribute.slices) per += s.index_bytes();
  return per * count;
}

Status check_layout(const GaussianLayout& l) {
  if (l.sh_degree < 0 || l.sh_degree > 3) return invalid_input("SH degree " + std::to_string(l.sh_degree) + " is outside 0..3");
  if (l.position_bits < kMinPositionBits || l.position_bits > kMaxPositionBits) {
    return invalid_input("position bits " + std::to_string(l.position_bits) + " outside 1..21");
  }
  for (int k = 0; k < 3; ++k) {
    if (!std::isfinite(l.bounds_min[k]) || !std::isfinite(l.bounds_max[k]) || l.bounds_min[k] > l.bounds_max[k]) {
      return invalid_input("position bounds are not finite or min exceeds max");
    }
  }
  if (l.colour_source > 2) {
    return invalid_input("layout names unknown colour source " + std::to_string(l.colour_source));
  }
  if (l.colour_source != 0 && l.sh_degree != 0) {
    return invalid_input("layout has SH degree " + std::to_string(l.sh_degree) + " beside a colour field (needs 0)");
  }
  const std::vector<Attribute> expected = attributes_for(l.sh_degree, l.colour_source);
  if (l.attributes.size() != expected.size()) {
    return invalid_input("layout lists " + std::to_string(l.attributes.size()) + " attributes where SH degree " +
                         std::to_string(l.sh_degree) + " needs " + std::to_string(expected.size()));
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const AttributeLayout& a = l.attributes[i];
    if (a.attribute != expected[i]) {
      return invalid_input("layout attribute " + std::to_string(i) + " has id " +
                           std::to_string(static_cast<int>(a.attribute)) + ", expected " +
                           std::to_string(static_cast<int>(expected[i])));
    }
    if (a.index_coding == StreamCoding::kRangedPresence && a.attribute != Attribute::kSh) {
      return invalid_input(std::string(attribute_name(a.attribute)) + " indices carry presence bits, which only sh may");
    }
    const int dims = attribute_dims(a.attribute, l.sh_degree);
    if (a.transform != Transform::kNone && a.transform != Transform::kAffine &&
        a.transform != Transform::kSmallestThree) {
      return invalid_input(std::string(attribute_name(a.attribute)) + " uses unknown transform " +
                           std::to_string(static_cast<int>(a.transform)));
    }
    if (a.transform == Transform::kSmallestThree &&
        (a.attribute != Attribute::kRotation || a.slices.empty() || a.slices[0].dims != 1)) {
      return invalid_input(std::string(attribute_name(a.attribute)) +
                           ": the smallest-three transform needs the rotation with a first slice of one value");
    }
    if (a.slices.empty() || static_cast<int>(a.slices.size()) > dims) {
      return invalid_input(std::string(attribute_name(a.attribute)) + " has " + std::to_string(a.slices.size()) +
                           " slices for " + std::to_string(dims) + " values");
    }
    int sum = 0;
    for (const SliceLayout& s : a.slices) {
      if (s.dims < 1 || s.codebook_size < 1 || s.codebook_size > kMaxCodebookSize) {
        return invalid_input(std::string(attribute_name(a.attribute)) + " has a slice of " + std::to_string(s.dims) +
                             " values and " + std::to_string(s.codebook_size) + " codes (codes must be 1..65536)");
      }
      sum += s.dims;
    }
    if (sum != dims) {
      return invalid_input(std::string(attribute_name(a.attribute)) + " slices cover " + std::to_string(sum) +
                           " values, expected " + std::to_string(dims));
    }
  }
  return Status::Ok();
}

namespace {
constexpr std::size_t kFixedBytes = 28;

}  // namespace

Bytes serialize_layout(const GaussianLayout& l) {
  Bytes out(kFixedBytes, 0);
  // The high half of byte 0 is the colour source (zero before colour fields existed).
  out[0] = static_cast<std::uint8_t>(l.sh_degree | l.colour_source << 4);
  out[1] = static_cast<std::uint8_t>(l.position_bits);
  out[2] = static_cast<std::uint8_t>(l.attributes.size());
  out[3] = static_cast<std::uint8_t>(l.position_coding);
  for (int k = 0; k < 3; ++k) {
    store_f32(&out[4 + 4 * k], l.bounds_min[k]);
    store_f32(&out[16 + 4 * k], l.bounds_max[k]);
  }
  for (const AttributeLayout& a : l.attributes) {
    out.push_back(static_cast<std::uint8_t>(a.attribute));
    out.push_back(static_cast<std::uint8_t>(a.transform));
    out.push_back(static_cast<std::uint8_t>(a.slices.size()));
    out.push_back(static_cast<std::uint8_t>(a.index_coding));
    for (const SliceLayout& s : a.slices) {
      const std::size_t at = out.size();
      out.resize(at + 4, 0);
      out[at] = static_cast<std::uint8_t>(s.dims);
      store_u16(&out[at + 2], static_cast<std::uint16_t>(s.codebook_size - 1));
    }
  }
  return out;
}

Result<GaussianLayout> parse_layout(const Bytes& bytes, int version) {
  if (bytes.size() < kFixedBytes) return invalid_input("layout stream of " + std::to_string(bytes.size()) + " bytes is too short");
  // Version 1 kept these bytes reserved (zero), which reads as byte planes.
  const auto coding = [&](std::uint8_t b, const char* what) -> Result<StreamCoding> {
    if (version < 2 && b != 0) return invalid_input("layout reserved byte is not zero");
    const auto last = version < 3 ? StreamCoding::kRanged : StreamCoding::kRangedPresence;
    if (b > static_cast<std::uint8_t>(last)) {
      return invalid_input(std::string(what) + " uses unknown stream coding " + std::to_string(b));
    }
    return static_cast<StreamCoding>(b);
  };
  GaussianLayout l;
  l.sh_degree = bytes[0] & 0x0F;
  l.colour_source = static_cast<std::uint8_t>(bytes[0] >> 4);
  l.position_bits = bytes[1];
  const int count = bytes[2];
  SCZ_ASSIGN_OR_RETURN(l.position_coding, coding(bytes[3], "the position stream"));
  for (int k = 0; k < 3; ++k) {
    l.bounds_min[k] = load_f32(&bytes[4 + 4 * k]);
    l.bounds_max[k] = load_f32(&bytes[16 + 4 * k]);
  }
  std::size_t at = kFixedBytes;
  for (int i = 0; i < count; ++i) {
    if (bytes.size() - at < 4) return invalid_input("layout stream ends inside attribute " + std::to_string(i));
    AttributeLayout a;
    const int id = bytes[at];
    if (id >= kAttributeCount) return invalid_input("layout names unknown attribute " + std::to_string(id));
    a.attribute = static_cast<Attribute>(id);
    a.transform = static_cast<Transform>(bytes[at + 1]);
    const int slices = bytes[at + 2];
    SCZ_ASSIGN_OR_RETURN(a.index_coding, coding(bytes[at + 3], "an index stream"));
    at += 4;
    if (bytes.size() - at < 4u * slices) return invalid_input("layout stream ends inside attribute " + std::to_string(i));
    for (int s = 0; s < slices; ++s, at += 4) {
      if (bytes[at + 1] != 0) return invalid_input("layout reserved byte is not zero");
      a.slices.push_back({bytes[at], load_u16(&bytes[at + 2]) + 1});
    }
    l.attributes.push_back(std::move(a));
  }
  if (at != bytes.size()) return invalid_input(std::to_string(bytes.size() - at) + " stray bytes end the layout stream");
  SCZ_RETURN_IF_ERROR(check_layout(l));
  return l;
}

}  // namespace scenezip::scz
