#include "formats/scz/colour_field_layout.h"

#include <cmath>
#include <cstring>

#include "formats/scz/bytes.h"
#include "formats/scz/float16.h"

namespace scenezip::scz {

namespace {

constexpr std::size_t kFixedHeaderBytes = 36;

ColourFieldResolver& resolver_slot() {
  static ColourFieldResolver resolver;
  return resolver;
}

Status check_counts(int levels, int features, std::uint64_t kept, std::uint64_t weights, std::uint64_t count) {
  if (levels < 1 || levels > kColourFieldMaxLevels) {
    return invalid_input("colour field: " + std::to_string(levels) + " levels (1.." +
                         std::to_string(kColourFieldMaxLevels) + ")");
  }
  if (features < 1 || features > kColourFieldMaxFeatures) {
    return invalid_input("colour field: " + std::to_string(features) + " features per entry (1.." +
                         std::to_string(kColourFieldMaxFeatures) + ")");
  }
  // A Gaussian's cell has 8 corners per level, so no field for `count` Gaussians keeps more.
  if (kept > 8 * static_cast<std::uint64_t>(levels) * count) {
    return invalid_input("colour field: " + std::to_string(kept) + " table entries kept for " +
                         std::to_string(count) + " Gaussians");
  }
  if (weights < 1 || weights > kColourFieldMaxWeights) {
    return invalid_input("colour field: " + std::to_string(weights) + " MLP weights (1.." +
                         std::to_string(kColourFieldMaxWeights) + ")");
  }
  return Status::Ok();
}

}  // namespace

const char* colour_source_name(ColourSource source) {
  switch (source) {
    case ColourSource::kSh: return "sh";
    case ColourSource::kFieldViewDependent: return "field-view";
    case ColourSource::kFieldFull: return "field-full";
  }
  return "unknown";
}

Status check_colour_field_streams(const ColourFieldStreams& f, std::uint64_t count) {
  if (f.source == ColourSource::kSh) return invalid_input("colour field: the source says SH");
  if (f.features < 1 || f.quantized.size() % static_cast<std::size_t>(f.features) != 0) {
    return invalid_input("colour field: features do not fill whole entries");
  }
  SCZ_RETURN_IF_ERROR(check_counts(f.levels, f.features, f.kept_entries(), f.weights.size(), count));
  if (f.level_min.size() != static_cast<std::size_t>(f.levels) || f.level_step.size() != f.level_min.size()) {
    return invalid_input("colour field: one feature range per level needed");
  }
  for (int a = 0; a < 3; ++a) {
    if (!std::isfinite(f.centre[a]) || !std::isfinite(f.half_extent[a]) || !(f.half_extent[a] > 0)) {
      return invalid_input("colour field: contraction centre or half extent not finite, or an extent not positive");
    }
  }
  for (std::size_t l = 0; l < f.level_min.size(); ++l) {
    if (!std::isfinite(f.level_min[l]) || !std::isfinite(f.level_step[l]) || f.level_step[l] < 0 ||
        !std::isfinite(f.level_min[l] + 255.0f * f.level_step[l])) {
      return invalid_input("colour field: feature range of level " + std::to_string(l) + " is not finite");
    }
  }
  for (float w : f.weights) {
    if (!std::isfinite(w)) return invalid_input("colour field: an MLP weight is not finite");
  }
  if (f.settings_json.size() > kColourFieldMaxHeaderBytes / 2) return invalid_input("colour field: settings too long");
  return Status::Ok();
}

Result<ColourFieldBytes> serialize_colour_field(const ColourFieldStreams& f) {
  SCZ_RETURN_IF_ERROR(check_colour_field_streams(f, f.kept_entries()));
  ColourFieldBytes out;
  out.header.assign(kFixedHeaderBytes + 8 * f.level_min.size() + 4 + f.settings_json.size(), 0);
  std::uint8_t* p = out.header.data();
  p[0] = static_cast<std::uint8_t>(f.levels);
  p[1] = static_cast<std::uint8_t>(f.features);
  store_u32(p + 4, f.kept_entries());
  store_u32(p + 8, static_cast<std::uint32_t>(f.weights.size()));
  for (int a = 0; a < 3; ++a) {
    store_f32(p + 12 + 4 * a, f.centre[a]);
    store_f32(p + 24 + 4 * a, f.half_extent[a]);
  }
  std::size_t at = kFixedHeaderBytes;
  for (std::size_t l = 0; l < f.level_min.size(); ++l, at += 8) {
    store_f32(p + at, f.level_min[l]);
    store_f32(p + at + 4, f.level_step[l]);
  }
  store_u32(p + at, static_cast<std::uint32_t>(f.settings_json.size()));
  std::memcpy(p + at + 4, f.settings_json.data(), f.settings_json.size());
  out.features = f.quantized;
  out.weights.resize(2 * f.weights.size());
  for (std::size_t i = 0; i < f.weights.size(); ++i) {
    const std::uint16_t h = float_to_half(f.weights[i]);
    if (!std::isfinite(half_to_float(h))) return invalid_input("colour field: an MLP weight overflows float16");
    store_u16(&out.weights[2 * i], h);
  }
  return out;
}

Result<ColourFieldStreams> parse_colour_field_header(const Bytes& b, ColourSource source, std::uint64_t count,
                                                     std::uint32_t* kept_entries, std::uint32_t* weight_count) {
  if (b.size() < kFixedHeaderBytes) {
    return invalid_input("colour field header of " + std::to_string(b.size()) + " bytes is too short");
  }
  ColourFieldStreams f;
  f.source = source;
  f.levels = b[0];
  f.features = b[1];
  if (load_u16(&b[2]) != 0) return invalid_input("colour field header: reserved bytes are not zero");
  const std::uint32_t kept = load_u32(&b[4]);
  const std::uint32_t weights = load_u32(&b[8]);
  SCZ_RETURN_IF_ERROR(check_counts(f.levels, f.features, kept, weights, count));
  for (int a = 0; a < 3; ++a) {
    f.centre[a] = load_f32(&b[12 + 4 * a]);
    f.half_extent[a] = load_f32(&b[24 + 4 * a]);
  }
  std::size_t at = kFixedHeaderBytes;
  if (b.size() - at < 8u * f.levels + 4) return invalid_input("colour field header ends inside the feature ranges");
  for (int l = 0; l < f.levels; ++l, at += 8) {
    f.level_min.push_back(load_f32(&b[at]));
    f.level_step.push_back(load_f32(&b[at + 4]));
  }
  const std::uint32_t json = load_u32(&b[at]);
  at += 4;
  if (b.size() - at != json) {
    return invalid_input("colour field header: settings of " + std::to_string(json) + " bytes where " +
                         std::to_string(b.size() - at) + " remain");
  }
  f.settings_json.assign(reinterpret_cast<const char*>(b.data() + at), json);
  // The ranges and contraction are checked here; the payloads once read.
  for (int a = 0; a < 3; ++a) {
    if (!std::isfinite(f.centre[a]) || !std::isfinite(f.half_extent[a]) || !(f.half_extent[a] > 0)) {
      return invalid_input("colour field: contraction centre or half extent not finite, or an extent not positive");
    }
  }
  for (int l = 0; l < f.levels; ++l) {
    if (!std::isfinite(f.level_min[l]) || !std::isfinite(f.level_step[l]) || f.level_step[l] < 0 ||
        !std::isfinite(f.level_min[l] + 255.0f * f.level_step[l])) {
      return invalid_input("colour field: feature range of level " + std::to_string(l) + " is not finite");
    }
  }
  *kept_entries = kept;
  *weight_count = weights;
  return f;
}

void set_colour_field_resolver(ColourFieldResolver resolver) { resolver_slot() = std::move(resolver); }
const ColourFieldResolver& colour_field_resolver() { return resolver_slot(); }

}  // namespace scenezip::scz
