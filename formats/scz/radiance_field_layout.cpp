#include "formats/scz/radiance_field_layout.h"

#include <cmath>

#include "formats/scz/bytes.h"
#include "formats/scz/float16.h"

namespace scenezip::scz {

namespace {
std::string n(std::uint64_t v) { return std::to_string(v); }
std::uint64_t bit_bytes(std::uint64_t bits) { return (bits + 7) / 8; }
}  // namespace

std::uint32_t count_bits(const std::vector<std::uint8_t>& bits, std::uint64_t bit_count) {
  std::uint32_t total = 0;
  for (std::uint64_t i = 0; i < bit_count && i / 8 < bits.size(); ++i) total += bits[i / 8] >> (i % 8) & 1;
  return total;
}

std::string radiance_stream_name(std::uint16_t id) {
  switch (id) {
    case kRadianceHeaderStream: return "field header";
    case kRadianceOccupancyStream: return "occupancy bits";
    case kRadianceKeptStream: return "kept entries";
    case kRadianceFeatureStream: return "features";
    case kRadianceWeightStream: return "weights";
    default: return "stream " + n(id);
  }
}

Result<std::vector<StreamToWrite>> serialize_radiance_field(const RadianceFieldStreams& f) {
  const std::uint64_t cells = static_cast<std::uint64_t>(f.grid_resolution) * f.grid_resolution * f.grid_resolution;
  if (f.levels == 0 || f.levels > kRadianceMaxLevels || f.features == 0 || f.features > kRadianceMaxFeatures ||
      f.entries == 0 || f.entries > kRadianceMaxEntries || f.grid_resolution == 0 ||
      f.grid_resolution > kRadianceMaxGrid || f.level_min.size() != f.levels || f.level_step.size() != f.levels ||
      f.kept.size() != bit_bytes(f.entries) || f.occupancy.size() != bit_bytes(cells) ||
      f.quantized.size() != static_cast<std::uint64_t>(count_bits(f.kept, f.entries)) * f.features ||
      f.weights.empty() || f.weights.size() > kRadianceMaxWeights ||
      f.settings_json.size() > kRadianceMaxSettingsBytes) {
    return internal_error("radiance field streams are inconsistent");
  }
  Bytes header;
  append_u32(header, f.levels);
  append_u32(header, f.features);
  append_u32(header, f.entries);
  append_u32(header, count_bits(f.kept, f.entries));
  append_u32(header, static_cast<std::uint32_t>(f.weights.size()));
  append_u32(header, f.grid_resolution);
  append_u32(header, static_cast<std::uint32_t>(f.settings_json.size()));
  for (std::uint32_t l = 0; l < f.levels; ++l) {
    append_f32(header, f.level_min[l]);
    append_f32(header, f.level_step[l]);
  }
  header.insert(header.end(), f.settings_json.begin(), f.settings_json.end());
  Bytes weights(2 * f.weights.size());
  for (std::size_t i = 0; i < f.weights.size(); ++i) store_u16(weights.data() + 2 * i, float_to_half(f.weights[i]));
  std::vector<StreamToWrite> streams;
  streams.push_back({kRadianceHeaderStream, std::move(header), 19});
  streams.push_back({kRadianceOccupancyStream, f.occupancy, 19});
  streams.push_back({kRadianceKeptStream, f.kept, 19});
  streams.push_back({kRadianceFeatureStream, f.quantized, 19});
  streams.push_back({kRadianceWeightStream, std::move(weights), 19});
  return streams;
}

Result<RadianceFieldStreams> read_radiance_field(const Container& c) {
  if (c.kind != kRadianceFieldKind) return invalid_input("not a radiance field");
  SCZ_ASSIGN_OR_RETURN(const Bytes header,
                       read_stream_up_to(c, kRadianceHeaderStream,
                                         kRadianceFixedHeaderBytes + 8ull * kRadianceMaxLevels + kRadianceMaxSettingsBytes,
                                         "field header"));
  if (header.size() < kRadianceFixedHeaderBytes) return invalid_input("field header is cut short");
  RadianceFieldStreams f;
  const std::uint8_t* p = header.data();
  f.levels = load_u32(p);
  f.features = load_u32(p + 4);
  f.entries = load_u32(p + 8);
  const std::uint32_t kept_count = load_u32(p + 12);
  const std::uint32_t weight_count = load_u32(p + 16);
  f.grid_resolution = load_u32(p + 20);
  const std::uint32_t settings_bytes = load_u32(p + 24);
  if (f.levels == 0 || f.levels > kRadianceMaxLevels) return invalid_input("field header: " + n(f.levels) + " levels");
  if (f.features == 0 || f.features > kRadianceMaxFeatures) {
    return invalid_input("field header: " + n(f.features) + " features per entry");
  }
  if (f.entries == 0 || f.entries > kRadianceMaxEntries) return invalid_input("field header: " + n(f.entries) + " entries");
  if (kept_count > f.entries) return invalid_input("field header: more kept entries than entries");
  if (weight_count == 0 || weight_count > kRadianceMaxWeights) {
    return invalid_input("field header: " + n(weight_count) + " weights");
  }
  if (f.grid_resolution == 0 || f.grid_resolution > kRadianceMaxGrid) {
    return invalid_input("field header: occupancy grid of " + n(f.grid_resolution) + " cells per axis");
  }
  if (settings_bytes > kRadianceMaxSettingsBytes ||
      header.size() != kRadianceFixedHeaderBytes + 8ull * f.levels + settings_bytes) {
    return invalid_input("field header: " + n(header.size()) + " bytes do not match its counts");
  }
  for (std::uint32_t l = 0; l < f.levels; ++l) {
    const float lo = load_f32(p + kRadianceFixedHeaderBytes + 8 * l);
    const float step = load_f32(p + kRadianceFixedHeaderBytes + 8 * l + 4);
    if (!std::isfinite(lo) || !std::isfinite(step) || step < 0) {
      return invalid_input("field header: level " + n(l) + " has a bad feature range");
    }
    f.level_min.push_back(lo);
    f.level_step.push_back(step);
  }
  f.settings_json.assign(reinterpret_cast<const char*>(p + kRadianceFixedHeaderBytes + 8ull * f.levels), settings_bytes);
  const std::uint64_t cells = static_cast<std::uint64_t>(f.grid_resolution) * f.grid_resolution * f.grid_resolution;
  SCZ_ASSIGN_OR_RETURN(f.occupancy, read_stream(c, kRadianceOccupancyStream, bit_bytes(cells), "occupancy bits"));
  if (count_bits(f.occupancy, cells) != c.count) {
    return invalid_input("occupancy bits mark " + n(count_bits(f.occupancy, cells)) + " cells, the header says " +
                         n(c.count));
  }
  SCZ_ASSIGN_OR_RETURN(f.kept, read_stream(c, kRadianceKeptStream, bit_bytes(f.entries), "kept entries"));
  if (count_bits(f.kept, f.entries) != kept_count) {
    return invalid_input("kept-entry bits mark " + n(count_bits(f.kept, f.entries)) + " entries, the field header says " +
                         n(kept_count));
  }
  SCZ_ASSIGN_OR_RETURN(f.quantized,
                       read_stream(c, kRadianceFeatureStream, static_cast<std::uint64_t>(kept_count) * f.features,
                                   "features"));
  SCZ_ASSIGN_OR_RETURN(const Bytes weights, read_stream(c, kRadianceWeightStream, 2ull * weight_count, "weights"));
  f.weights.resize(weight_count);
  for (std::uint32_t i = 0; i < weight_count; ++i) {
    f.weights[i] = half_to_float(load_u16(weights.data() + 2 * i));
    if (!std::isfinite(f.weights[i])) return invalid_input("weight " + n(i) + " is not finite");
  }
  return f;
}

}  // namespace scenezip::scz
